"""Where mail goes, from the environment: EMAIL_URL, the EMAIL_* variables, or files under
var/mail/ in development; and the beat entry that sends the scheduled reports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from schedules.tasks import send_due_reports

ROOT = Path(__file__).resolve().parents[2]
MAIL_VARIABLES = ("EMAIL_URL", "EMAIL_HOST", "EMAIL_BACKEND", "EMAIL_FILE_PATH", "DEBUG")


def mail_destination(**environment: str) -> str:
    """What `manage.py mail_destination` says with these variables (and no other mail ones)."""
    env = {k: v for k, v in os.environ.items() if k not in MAIL_VARIABLES}
    env.update(DEBUG="true", **environment)
    done = subprocess.run(
        [sys.executable, "manage.py", "mail_destination"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def test_development_writes_mail_to_files_under_var_mail():
    assert mail_destination() == (
        f"Mail: written as files under {ROOT / 'var' / 'mail'}/ (nothing is sent)."
    )


@pytest.mark.parametrize(
    ("environment", "said"),
    [
        (
            {"EMAIL_URL": "smtp://reports:secret@mail.example.com:587/?tls=true"},
            "Mail: sent through SMTP at mail.example.com:587 with STARTTLS.",
        ),
        (
            {"EMAIL_URL": "smtp://reports:secret@mail.example.com:465/?ssl=true"},
            "Mail: sent through SMTP at mail.example.com:465 with SSL.",
        ),
        (
            {"EMAIL_HOST": "relay.example.com", "EMAIL_PORT": "2525"},
            "Mail: sent through SMTP at relay.example.com:2525.",
        ),
        ({"EMAIL_URL": "console://"}, "Mail: printed on the worker's output (nothing is sent)."),
    ],
)
def test_the_mail_server_comes_from_the_environment(environment, said):
    assert mail_destination(**environment) == said


def test_an_email_url_of_an_unknown_kind_is_refused_at_start():
    said = mail_destination(EMAIL_URL="smtp+tls://mail.example.com")
    assert "EMAIL_URL must start with smtp://" in said


def test_the_beat_sends_the_scheduled_reports_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["schedules-send-due"]
    assert entry["task"] == send_due_reports.name == "schedules.tasks.send_due_reports"
    assert entry["schedule"] <= 60
