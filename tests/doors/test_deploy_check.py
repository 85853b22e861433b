"""`manage.py check --deploy` is clean with the production settings of docs/deployment.md."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def test_check_deploy_reports_no_issue_in_production_settings():
    # Only what a production machine sets: the test process's own environment (e.g. the
    # DJANGO_ALLOW_ASYNC_UNSAFE of the browser tests) is not a deployment's.
    environment = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "status.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
