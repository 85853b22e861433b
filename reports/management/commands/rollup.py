"""`manage.py rollup [--rebuild]`: roll the whole past days that are due into the daily rollup,
as the worker does (docs/rollup.md); with `--rebuild`, drop it and roll every day again."""

from django.core.management.base import BaseCommand

from reports import rollup


class Command(BaseCommand):
    help = (
        "Roll the whole past days that are due into the daily rollup that time by code reads "
        "(the worker does it every few minutes). --rebuild drops it and rolls every day again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Drop every rolled day first, then roll every whole past day again.",
        )

    def handle(self, *args, rebuild, **options):
        if rebuild:
            rolled = rollup.rebuild()
        else:
            rolled = 0
            while count := rollup.roll_up():
                rolled += count
        self.stdout.write(f"{rolled} day(s) rolled.")
