"""Helpers for the import tests: write a file, run `manage.py import`, read the database."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agents.models import Agent, AgentGroup
from statuscodes.models import StatusCode, StatusCodeList

CODES = "statuscodes.resources.StatusCodeResource"
GROUPS = "agents.resources.AgentGroupResource"
AGENTS = "agents.resources.AgentResource"

CODE_HEADER = ["list", "code", "label", "description", "actions", "sort_order", "active"]
CODE_HEADER += ["max_minutes"]
GROUP_HEADER = ["name", "code_list", "supervisors"]
AGENT_HEADER = ["username", "first_name", "last_name", "email", "group"]
AGENT_HEADER += ["status_codes_enabled", "language"]


@dataclass
class ImportRun:
    ok: bool
    out: str
    err: str
    error: str  # the CommandError's message, when refused

    @property
    def problems(self) -> list[str]:
        return self.err.splitlines()


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run_import(resource: str, path: Path | str, *options: str) -> ImportRun:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", resource, str(path), "--noinput", *options, stdout=out, stderr=err)
    except CommandError as refusal:
        return ImportRun(False, out.getvalue(), err.getvalue(), str(refusal))
    return ImportRun(True, out.getvalue(), err.getvalue(), "")


def export(resource: str, file_format: str = "CSV") -> bytes:
    """What `manage.py export <format> <resource>` prints."""

    capture = io.StringIO()
    capture.buffer = io.BytesIO()  # the command writes bytes to stdout.buffer
    call_command("export", file_format, resource, stdout=capture)
    return capture.buffer.getvalue()


def export_rows(resource: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export(resource).decode())))


def database_state() -> dict:
    """Everything an import can write: rows, users, audit history, and the exported files."""
    return {
        "lists": StatusCodeList.objects.count(),
        "codes": StatusCode.objects.count(),
        "groups": AgentGroup.objects.count(),
        "agents": Agent.objects.count(),
        "users": get_user_model().objects.count(),
        "history": (
            StatusCodeList.history.count(),
            StatusCode.history.count(),
            AgentGroup.history.count(),
            Agent.history.count(),
        ),
        "exports": (export(CODES), export(GROUPS), export(AGENTS)),
    }
