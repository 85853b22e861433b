"""`manage.py import_events FILE`: exit status, messages, progress and quiet mode."""

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from agents.models import StatusEvent

from .test_import_events import DAY, csv_text


@pytest.fixture
def history_file(tmp_path):
    def write(*rows: str):
        path = tmp_path / "events.csv"
        path.write_text(csv_text(*rows), encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def run(monkeypatch):
    """The command as `manage.py` runs it; returns its exit status."""
    # manage.py closes every database connection at the end, which would end the test's
    # transaction (and a transactional test would flush the migrated action rows).
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    return _run


def _run(*args: str) -> int:
    try:
        ManagementUtility(["manage.py", "import_events", *args]).execute()
    except SystemExit as exit:
        return exit.code
    return 0


def test_a_good_file_is_imported_and_summarised(ana, sam, history_file, capsys):
    path = history_file(*DAY, "2025-03-03T09:00:00+00:00,sam,available,")

    call_command("import_events", path)

    out, err = capsys.readouterr()
    assert out == (
        f"Imported 9 rows from {path}: 9 status changes and 0 rejections for 2 agent(s); "
        "0 existing event(s) adjusted.\n"
    )
    assert err == ""  # no progress when stderr is not a terminal
    assert StatusEvent.objects.count() == 9


def test_a_bad_file_exits_non_zero_lists_the_lines_and_writes_nothing(
    ana, history_file, run, capsys
):
    path = history_file(*DAY[:3], "2025-03-03T10:00:00,ana,busy,", "x,ana,nap,")

    status = run(path)

    out, err = capsys.readouterr()
    assert status == 1
    assert out == ""
    assert err.splitlines() == [
        "line 5: timestamp '2025-03-03T10:00:00' has no UTC offset "
        "(e.g. 2025-03-03T10:00:00+00:00)",
        "line 6: unknown event 'nap' (expected a status or a reject_<channel> key); "
        "timestamp 'x' is not ISO 8601 (e.g. 2025-03-01T09:00:00+01:00)",
        f"CommandError: 2 error(s) in {path}; nothing was imported.",
    ]
    assert not StatusEvent.objects.exists()


def test_a_good_file_exits_zero(ana, history_file, run):
    assert run(history_file(*DAY), "--quiet") == 0
    assert StatusEvent.objects.count() == len(DAY)


def test_a_missing_file_is_an_error_not_a_crash(db, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing.csv: No such file"):
        call_command("import_events", str(tmp_path / "missing.csv"))


def test_progress_is_shown_on_request_and_quiet_prints_nothing(ana, history_file, capsys):
    call_command("import_events", history_file(*DAY[:4]), "--progress")
    out, err = capsys.readouterr()
    assert "Imported 4 rows" in out
    assert "Checked 4 rows" in err and "Wrote 4 of 4 events (100%)" in err

    call_command("import_events", history_file(*DAY[4:]), "--quiet", "--progress")
    assert capsys.readouterr() == ("", "")
    assert StatusEvent.objects.count() == len(DAY)
