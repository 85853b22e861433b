"""`manage.py import_events FILE`: load agents' history from a CSV file.

See docs/history-import.md for the format and the rules.
"""

from django.core.management.base import BaseCommand, CommandError

from agents.history_import import EventsImportError, events_import, read_events_csv


class Command(BaseCommand):
    help = (
        "Import agents' status history from a CSV file with the columns "
        "timestamp,agent,event,code. All or nothing: any bad row and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8) with a header line.")
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Show progress on stderr even when it is not a terminal.",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing but errors (no progress)."
        )

    def handle(self, *args, file, progress, quiet, **options):
        show_progress = not quiet and (progress or self.stderr.isatty())
        try:
            with open(file, "rb") as stream:
                summary = events_import(
                    rows=read_events_csv(stream),
                    progress=self.show_progress if show_progress else None,
                )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except EventsImportError as error:
            if show_progress:
                self.stderr.write("")
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(
                f"{len(error.errors)} error(s) in {file}; nothing was imported."
            ) from None
        if show_progress:
            self.stderr.write("")
        if not quiet:
            self.stdout.write(
                f"Imported {summary.rows:,} rows from {file}: {summary.status_changes:,} status "
                f"changes and {summary.rejections:,} rejections for {summary.agents:,} agent(s); "
                f"{summary.adjusted:,} existing event(s) adjusted."
            )

    def show_progress(self, stage: str, done: int, total: int | None) -> None:
        if stage == "read":
            text = f"Checked {done:,} rows"
        else:
            text = f"Wrote {done:,} of {total:,} events ({100 * done // max(total, 1)}%)"
        self.stderr.write(f"\r{text}", ending="")
        self.stderr.flush()
