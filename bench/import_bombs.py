"""XLSX import limits benchmark, run by hand (not part of the test suite).

    .venv/bin/python bench/import_bombs.py

Reads workbooks as an import does (`core.importing.files.XLSX`, what the admin's Import
and `manage.py import` call) and prints, for each, its size packed and unpacked, what became of
it, the seconds it took (and the processor time: the machine may be shared) and how much the
process grew (peak resident set, Linux): the review's
zip bombs and the other shapes tests/hardening/test_workbook_limits.py refuses, the largest
files the limits let through, and configuration files of 10,000 to 100,000 rows saved with
shared strings as spreadsheet programs save them (written by XlsxWriter). Nothing touches a
database. The table goes to stdout (docs/performance.md#xlsx-imports).
"""

import io
import os
import random
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402
from exports import machine, peak_growth_mib, reset_peak  # noqa: E402

from core.importing.files import XLSX, ImportFileError  # noqa: E402
from tests.hardening.workbook_bombs import (  # noqa: E402
    NAMESPACE,
    SHEET_END,
    SHEET_START,
    MiB,
    huge_shared_string,
    sheet_of_cells,
    workbook_with,
)

CODE_COLUMNS = ["list", "code", "label", "description", "actions", "sort_order", "active"]
CODE_COLUMNS += ["max_minutes"]
TRANSLATIONS = ["label_es", "description_es", "label_fr", "description_fr"]


def configuration(rows: int, *, translated: bool) -> bytes:
    """Status codes as a spreadsheet program saves them: texts in the shared strings."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output)
    sheet = workbook.add_worksheet("Codes")
    sheet.write_row(0, 0, CODE_COLUMNS + (TRANSLATIONS if translated else []))
    for number in range(rows):
        cells = [
            f"List {number % 40}",
            f"CODE{number}",
            f"Code {number}",
            f"What an agent does during code {number}, in a sentence",
            "take_break;work_offline",
            number % 100,
            "true",
            60,
        ]
        if translated:
            cells += [f"Código {number}", f"Descripción {number}", f"Code {number} (fr)", ""]
        for column, cell in enumerate(cells):
            if isinstance(cell, str):
                sheet.write_string(number + 1, column, cell)
            else:
                sheet.write_number(number + 1, column, cell)
    workbook.close()
    return output.getvalue()


def sheet(rows: bytes) -> bytes:
    return workbook_with({"xl/worksheets/sheet1.xml": SHEET_START + rows + SHEET_END})


def billion_laughs() -> bytes:
    entities = b'<!ENTITY a0 "xxxxxxxxxx">' + b"".join(
        b'<!ENTITY a%d "%s">' % (level, b"&a%d;" % (level - 1) * 10) for level in range(1, 10)
    )
    strings = b"<!DOCTYPE sst [%s]><sst %s><si><t>&a9;</t></si></sst>" % (entities, NAMESPACE)
    return workbook_with({"xl/sharedStrings.xml": strings})


def numbers(cells: int, *, values: int) -> bytes:
    """`cells` cells in rows of 1,000, each a number below `values`."""
    rng = random.Random(1)
    rows = b"".join(
        b"<row>"
        + b"".join(b"<c><v>%d</v></c>" % rng.randrange(values) for _ in range(1000))
        + b"</row>"
        for _ in range(cells // 1000)
    )
    return sheet(rows)


def merged_ranges(count: int) -> bytes:
    ranges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (n, n) for n in range(2, count + 2))
    return workbook_with(
        {
            "xl/worksheets/sheet1.xml": SHEET_START
            + b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells>'
            + ranges
            + b"</mergeCells></worksheet>"
        }
    )


CASES = [
    ("bomb: one shared string of 1 GiB (the review's)", lambda: huge_shared_string(1024 * MiB)),
    ("bomb: 10 million cells (the review's)", lambda: sheet_of_cells(100_000, 100)),
    (
        "bomb: 100,000 rows of one empty cell in column XFD",
        lambda: sheet(
            b"".join(b'<row r="%d"><c r="XFD%d"/></row>' % (n, n) for n in range(1, 100_001))
        ),
    ),
    ("bomb: entities expanding to 1 GB (a DTD)", billion_laughs),
    ("bomb: only row 100,000, empty", lambda: sheet(b'<row r="100000"/>')),
    ("bomb: a million cells of one digit (packs 20 times)", lambda: numbers(10**6, values=10)),
    ("within the limits: 49,700 merged ranges", lambda: merged_ranges(49_700)),
    ("within the limits: a million numbers below 1,000", lambda: numbers(10**6, values=1000)),
    ("codes: 10,000 rows × 8 columns", lambda: configuration(10_000, translated=False)),
    ("codes: 50,000 rows × 8 columns", lambda: configuration(50_000, translated=False)),
    ("codes: 100,000 rows × 8 columns", lambda: configuration(100_000, translated=False)),
    ("codes: 100,000 rows × 12 columns", lambda: configuration(100_000, translated=True)),
]


def main() -> None:
    print(f"Machine: {machine()}\n")
    print(
        "| workbook | file (MB) | unpacked (MB) | outcome | seconds | CPU seconds "
        "| memory growth (MiB) |"
    )
    print("|---|---:|---:|---|---:|---:|---:|")
    for label, build in CASES:
        data = build()
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
        start_kib = reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        try:
            dataset = XLSX().create_dataset(data)
            outcome = f"read: {len(dataset):,} rows"
        except ImportFileError as error:
            outcome = f"refused: {str(error)[:70]}…"
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"| {label} | {len(data) / 1e6:.1f} | {unpacked / 1e6:,.1f} | {outcome} "
            f"| {seconds:.2f} | {cpu:.2f} | {max(peak_growth_mib(start_kib), 0):.0f} |"
        )
        del data


if __name__ == "__main__":
    main()
