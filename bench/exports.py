"""XLSX export benchmark, run by hand (not part of the test suite).

    .venv/bin/python bench/exports.py writers --rows 180000
    .venv/bin/python bench/exports.py view --database sqlite     # /tmp/bench_exports.sqlite3
    .venv/bin/python bench/exports.py view --database postgres   # database bench_exports

`writers` writes ROWS rows of the status-changes export (11 columns: ISO timestamp, names,
statuses, code, label, seconds, true/false, source; the cells `reports.exports` writes) with
each candidate writer, each in a fresh process, and prints the seconds and the memory the
process grew by (peak resident set, Linux). `csv` is the product's CSV writer, for reference;
`product` is `reports.exports` as it is. Candidates whose package is missing are skipped:
`pip install lxml==6.1.3 pyexcelerate==0.13.0` (into a scratch environment, not the project's)
to compare them too.

`view` generates AGENTS agents × DAYS days of timeline ending yesterday with bench/reports.py's
generator (17 agents × 366 days: about 187,000 status changes, a year of a small team) and
times the status-changes export through django.test.Client, reading every byte of the
response, REPEAT times each: the whole year as CSV, as XLSX with the row limit lifted (what
the writer costs) and as the product answers it (refused past `XLSX_MAX_ROWS`), and the last
months that stay within the limit as XLSX. The database lives outside the repository. The
tables go to stdout (docs/performance.md#xlsx-exports).
"""

import argparse
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_PATH = Path("/tmp/bench_exports.sqlite3")
POSTGRES_NAME = "bench_exports"
WRITERS = (
    "csv",
    "openpyxl",
    "openpyxl+lxml",
    "xlsxwriter",
    "pyexcelerate",
    "product",
    "xml by hand",
)


def bench_reports():
    """bench/reports.py, loaded under another name than the `reports` app."""
    spec = importlib.util.spec_from_file_location("bench_reports", ROOT / "bench" / "reports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- memory ----------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak() -> int:
    """Start measuring the peak resident set from now; returns the current one (KiB)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS")


def peak_growth_mib(start_kib: int) -> float:
    return (_status_kib("VmHWM") - start_kib) / 1024


# --- writers ---------------------------------------------------------------------------------

STATUSES = ("available", "busy", "post_processing", "on_break", "work_offline", "logged_out")
CODES = {
    "on_break": [("SHORT", "Short break"), ("LUNCH", "Lunch")],
    "work_offline": [("MEETING", "Meeting"), ("TRAINING", "Training")],
    "logged_out": [("EOS", "End of shift")],
}


def status_change_cells(count: int):
    """`count` rows of cells as the status-changes export writes them."""
    rng = random.Random(1)
    instant = datetime(2025, 1, 1, 8, tzinfo=UTC)
    previous = "logged_out"
    for number in range(count):
        instant += timedelta(seconds=rng.randint(1, 900))
        status = rng.choice(STATUSES)
        code, label = rng.choice(CODES[status]) if status in CODES else (None, None)
        yield [
            instant.isoformat(timespec="seconds"),
            f"agent{number % 15:04d}",
            "Team 00",
            previous,
            status,
            "Support" if code else None,
            code,
            label,
            rng.randint(0, 3600),
            "false",
            "console",
        ]
        previous = status


def write(writer: str, rows: int, file) -> None:
    from reports import exports
    from reports.selectors.status_changes import StatusChangesReport

    header = list(StatusChangesReport.export_header)
    text = StatusChangesReport.text_indexes
    cells = (exports._neutralised(row, text) for row in status_change_cells(rows))
    if writer == "csv":
        for chunk in exports._csv_chunks(
            exports.Export("x", header, status_change_cells(rows), text)
        ):
            file.write(chunk.encode())
    elif writer.startswith("openpyxl"):
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("status-changes")
        sheet.append(header)
        for row in cells:
            sheet.append(row)
        workbook.save(file)
    elif writer == "xlsxwriter":
        import xlsxwriter

        workbook = xlsxwriter.Workbook(file, {"constant_memory": True})
        sheet = workbook.add_worksheet("status-changes")
        sheet.write_row(0, 0, header)
        for line, row in enumerate(cells, start=1):
            sheet.write_row(line, 0, row)
        workbook.close()
    elif writer == "pyexcelerate":
        from pyexcelerate import Workbook

        workbook = Workbook()
        # PyExcelerate takes the whole sheet at once: every row is in memory.
        workbook.new_sheet("status-changes", data=[header, *cells])
        workbook.save(file)
    elif writer == "xml by hand":
        write_by_hand(header, cells, file)
    elif writer == "product":
        exports.XLSX_MAX_ROWS = rows  # the writer's cost, past the product's row limit
        exports._write_xlsx(
            exports.Export("status-changes", header, status_change_cells(rows), text), file
        )


def write_by_hand(header: list[str], rows, file) -> None:
    """The floor: the sheet's XML written with f-strings and deflated, no library (a reference
    for what the writers add, not a candidate: nothing here checks what Excel accepts)."""
    import zipfile
    from xml.sax.saxutils import escape

    from tests.hardening.workbook_bombs import CODES_WORKBOOK, DECLARATION

    def cell(value) -> str:
        if isinstance(value, str):
            return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
        return "<c/>" if value is None else f"<c><v>{value}</v></c>"

    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in CODES_WORKBOOK.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, DECLARATION + text.encode())
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(DECLARATION + b'<worksheet xmlns="%s"><sheetData>' % MAIN.encode())
            chunk = ["<row>" + "".join(map(cell, header)) + "</row>"]
            for row in rows:
                chunk.append("<row>" + "".join(map(cell, row)) + "</row>")
                if len(chunk) == 1000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def run_writer(writer: str, rows: int) -> None:
    """Child process: time one writer, print a JSON line."""
    if writer == "openpyxl":
        os.environ["OPENPYXL_LXML"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    modules = {"openpyxl+lxml": "lxml", "pyexcelerate": "pyexcelerate"}
    if writer in modules and importlib.util.find_spec(modules[writer]) is None:
        print(json.dumps({"writer": writer, "missing": modules[writer]}))
        return
    from reports import exports  # noqa: F401 (imported before measuring)

    with tempfile.TemporaryFile() as file:
        start_kib = reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        write(writer, rows, file)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = file.seek(0, os.SEEK_END)
    if writer.startswith("openpyxl"):
        import openpyxl

        writer = f"{writer} (lxml {'used' if openpyxl.LXML else 'not used'})"
    print(
        json.dumps(
            {
                "writer": writer,
                "rows": rows,
                "seconds": seconds,
                "cpu": cpu,
                "memory_mib": peak_growth_mib(start_kib),
                "bytes": size,
            }
        )
    )


def compare_writers(rows: int, repeat: int) -> None:
    print(f"Machine: {machine()}\n")
    print(
        "| writer | rows | seconds (median) | CPU seconds (median) | peak memory growth (MiB) "
        "| file (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for writer in WRITERS:
        results = []
        for _ in range(repeat):
            output = subprocess.run(
                [sys.executable, __file__, "one-writer", writer, "--rows", str(rows)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        if "missing" in results[0]:
            print(f"| {writer} | – | not installed ({results[0]['missing']}) | | | |")
            continue
        print(
            f"| {results[0]['writer']} | {rows:,} "
            f"| {statistics.median(r['seconds'] for r in results):.1f} "
            f"| {statistics.median(r['cpu'] for r in results):.1f} "
            f"| {max(r['memory_mib'] for r in results):.0f} "
            f"| {results[0]['bytes'] / 1e6:.1f} |"
        )


# --- through the view ------------------------------------------------------------------------


def export_through_view(database: str, agents: int, days: int, repeat: int) -> None:
    reports_bench = bench_reports()
    reports_bench.configure(database, sqlite_path=SQLITE_PATH, postgres_name=POSTGRES_NAME)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from reports import exports

    agent_ids, codes = reports_bench.configuration(agents)
    end = datetime.now(UTC).date() - timedelta(days=1)
    history = [end - timedelta(days=days - 1 - index) for index in range(days)]
    started = time.perf_counter()
    count = reports_bench.insert_events(
        reports_bench.event_rows(agent_ids, history, codes, following=None, first=True)
    )
    print(f"Machine: {reports_bench.machine()}")
    print(f"<!-- {count:,} events generated in {time.perf_counter() - started:.0f} s -->\n")

    client = Client()
    client.force_login(get_user_model().objects.get(username="root"))
    year = {"date_from": history[0], "date_to": history[-1]}
    # The last months, as many as keep the export within the XLSX limit.
    within = {"date_from": history[-1] - timedelta(days=days // 2 - 1), "date_to": history[-1]}
    while changes_in(within) > exports.XLSX_MAX_ROWS:
        within["date_from"] += timedelta(days=7)
    limit = exports.XLSX_MAX_ROWS
    print(
        f"| database | export | rows | answer | seconds (median of {repeat}) | CPU seconds of "
        "this process | peak memory growth (MiB) | file (MB) |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for label, file_format, query, lifted in (
        ("CSV", "csv", year, False),
        ("XLSX, without the row limit", "xlsx", year, True),
        ("XLSX", "xlsx", within, False),
        ("XLSX over the row limit", "xlsx", year, False),
    ):
        exports.XLSX_MAX_ROWS = 10**7 if lifted else limit
        timings, cpus, growths = [], [], []
        for _ in range(repeat):
            start_kib = reset_peak()
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get("/reports/status-changes/", {**query, "_export": file_format})
            content = response.streaming_content if response.streaming else [response.content]
            size = sum(len(piece) for piece in content)
            timings.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            growths.append(peak_growth_mib(start_kib))
            response.close()
        print(
            f"| {database} | {label} | {changes_in(query):,} | {response.status_code} "
            f"| {statistics.median(timings):.1f} | {statistics.median(cpus):.1f} "
            f"| {max(growths):.0f} | {size / 1e6:.1f} |"
        )
    exports.XLSX_MAX_ROWS = limit


def changes_in(query: dict) -> int:
    from agents.models import StatusEvent

    start = datetime.combine(query["date_from"], datetime.min.time(), UTC)
    end = datetime.combine(query["date_to"], datetime.min.time(), UTC) + timedelta(days=1)
    return (
        StatusEvent.objects.status_changes()
        .filter(started_at__gte=start, started_at__lt=end)
        .count()
    )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{datetime.now(UTC):%Y-%m-%d}, {cpu} ({os.cpu_count()} CPUs), "
        f"Python {platform.python_version()}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writers = commands.add_parser("writers", help="each candidate writer, rows without a database")
    writers.add_argument("--rows", type=int, default=180_000)
    writers.add_argument("--repeat", type=int, default=3)
    one = commands.add_parser("one-writer")
    one.add_argument("writer", choices=WRITERS)
    one.add_argument("--rows", type=int, default=180_000)
    view = commands.add_parser("view", help="the status-changes export through the view")
    view.add_argument("--database", choices=("sqlite", "postgres"), required=True)
    view.add_argument("--agents", type=int, default=17)
    view.add_argument("--days", type=int, default=366)
    view.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.command == "writers":
        compare_writers(args.rows, args.repeat)
    elif args.command == "one-writer":
        run_writer(args.writer, args.rows)
    else:
        export_through_view(args.database, args.agents, args.days, args.repeat)


if __name__ == "__main__":
    main()
