"""`manage.py check_translations`: fail, listing them, when messages of the interface are
untranslated or fuzzy in a language's catalog (docs/languages.md). With --write, refresh the
committed .po files first (what `make messages` does); without it, look in a copy."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import catalogs


class Command(BaseCommand):
    help = "List the messages left untranslated or fuzzy in each language's catalog; fail if any."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write",
            action="store_true",
            help="Refresh locale/<lang>/LC_MESSAGES/django.po from the code first (makemessages).",
        )

    def handle(self, *args, write: bool = False, **options):
        if write:
            catalogs.make_messages(settings.BASE_DIR)
            found = catalogs.problems(settings.BASE_DIR)
        else:
            found = catalogs.problems_in_a_copy()
        count = 0
        for language, entries in found.items():
            for entry in entries:
                count += 1
                state = "fuzzy" if entry.fuzzy else "untranslated"
                where = ", ".join(sorted(entry.files))
                self.stdout.write(f"{language}: {state}: {entry.msgid!r} ({where})")
        if count:
            raise CommandError(
                f"{count} message(s) untranslated or fuzzy: translate them in "
                "locale/<lang>/LC_MESSAGES/django.po (and remove the fuzzy flags)."
            )
        self.stdout.write(f"Every message is translated in: {', '.join(found)}.")
