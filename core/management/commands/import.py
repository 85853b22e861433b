"""`manage.py import <resource> FILE`: import-export's command, made all or nothing.

import-export's own command keeps the valid rows of a file that has invalid ones and exits 0
(docs/architecture.md, "Traps of the stack"); `core` comes before `import_export` in
INSTALLED_APPS, so this one is found first. It takes the same arguments, runs the import in
one transaction, and writes nothing unless every row is valid: otherwise it prints each
problem as `line N: <reason>` to stderr and exits non-zero.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from import_export.command_utils import get_resource_class
from import_export.results import RowResult

from core.importing.files import ImportFileError, format_for, read_dataset
from core.importing.resources import describe_problems


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file through an import-export resource, all or nothing: "
        "a file with any invalid row writes no row, and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resource",
            help="Dotted path of the resource, e.g. statuscodes.resources.StatusCodeResource.",
        )
        parser.add_argument("import_file_name", help='The file to import ("-" for stdin).')
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument(
            "--raise-errors",
            action="store_true",
            help="Stop with a traceback at the first problem (for debugging).",
        )
        parser.add_argument(
            "-n",
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, writing nothing.",
        )
        parser.add_argument(
            "--format", help="csv or xlsx; guessed from the file's extension when omitted."
        )
        parser.add_argument(
            "--encoding",
            default="utf-8-sig",
            help="Text encoding of a CSV file (default UTF-8, with or without a BOM).",
        )

    def confirm(self) -> str:
        try:
            return input("Are you sure you want to import the data? [yes/no]: ")
        except EOFError:  # no terminal to answer (a script, a pipe)
            raise CommandError(
                "Import cancelled: no answer to the confirmation (without a terminal, "
                "pass --noinput)."
            ) from None

    def handle(self, *args, **options):
        file_name = options["import_file_name"]
        resource = get_resource_class(options["resource"])()
        try:
            format_name = format_for(file_name, options["format"])
            data = self.read_bytes(file_name)
            dataset = read_dataset(data, format_name, options["encoding"])
        except ImportFileError as error:
            raise CommandError(str(error)) from None

        if options["interactive"] and self.confirm() != "yes":
            raise CommandError("Import cancelled.")

        with transaction.atomic():
            result = resource.import_data(
                dataset,
                dry_run=options["dry_run"],
                raise_errors=options["raise_errors"],
                use_transactions=True,
                rollback_on_validation_errors=True,
            )
            refused = result.has_errors() or result.has_validation_errors()
            if refused or options["dry_run"]:
                transaction.set_rollback(True)

        if refused:
            problems = describe_problems(result)
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Import refused: {len(problems)} problem(s) in {file_name}; nothing was written."
            )

        totals = result.totals
        self.stdout.write(
            "{prefix}{new} new, {updated} updated, {skipped} skipped {things}.".format(
                prefix="Dry run, nothing written: " if options["dry_run"] else "Import finished: ",
                new=totals[RowResult.IMPORT_TYPE_NEW],
                updated=totals[RowResult.IMPORT_TYPE_UPDATE],
                skipped=totals[RowResult.IMPORT_TYPE_SKIP],
                things=resource._meta.model._meta.verbose_name_plural,
            )
        )

    @staticmethod
    def read_bytes(file_name: str) -> bytes:
        """The file's bytes; a file over IMPORT_MAX_UPLOAD_BYTES is refused before parsing."""
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        try:
            if file_name == "-":
                data = sys.stdin.buffer.read(limit + 1)
            else:
                with open(file_name, "rb") as file:
                    data = file.read(limit + 1)
        except OSError as error:
            raise ImportFileError(f"Cannot read {file_name}: {error.strerror}.") from None
        if len(data) > limit:
            # The same limit as the admin's upload: a configuration file is never this large,
            # and the whole file would be held in memory while parsed.
            raise ImportFileError(
                f"The file is larger than {filesizeformat(limit)}; files over "
                f"IMPORT_MAX_UPLOAD_BYTES ({limit} bytes) are refused. Split it into smaller "
                "files, or raise the setting."
            )
        return data
