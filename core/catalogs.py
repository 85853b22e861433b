"""The interface's translation catalogs (docs/languages.md): how they are extracted from the
code and templates, and which of their messages still lack a translation."""

import ast
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

# The language the texts are written in: its catalog would only repeat them.
SOURCE_LANGUAGE = "en"

# Not the interface: no catalog entry comes from these (makemessages also skips hidden
# directories such as .venv and .git by itself).
NOT_THE_INTERFACE = ["tests", "bench", "docs", "staticfiles", "node_modules", "var", "media"]


@dataclass(frozen=True)
class Entry:
    msgid: str
    files: frozenset[str]
    fuzzy: bool
    translated: bool


def languages() -> list[str]:
    """The languages that need a catalog: every configured one but the source language."""
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def catalog_path(root: Path, language: str) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def make_messages(root: Path) -> None:
    """Refresh the .po files under `root` from the code and templates under `root`."""
    with _working_directory(root), override_settings(LOCALE_PATHS=[root / "locale"]):
        call_command(
            "makemessages",
            locale=languages(),
            ignore_patterns=NOT_THE_INTERFACE,
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )


def problems_in_a_copy() -> dict[str, list[Entry]]:
    """The untranslated or fuzzy messages that makemessages would leave, found in a copy of the
    project so that the committed .po files stay as they are."""
    with tempfile.TemporaryDirectory() as temporary:
        copy = Path(temporary) / "project"
        shutil.copytree(
            settings.BASE_DIR,
            copy,
            ignore=shutil.ignore_patterns(
                ".*", "__pycache__", "*.mo", "*.sqlite3*", *NOT_THE_INTERFACE
            ),
        )
        make_messages(copy)
        return problems(copy)


def problems(root: Path) -> dict[str, list[Entry]]:
    """Per language, the entries of the catalog under `root` that are untranslated or fuzzy."""
    found = {}
    for language in languages():
        path = catalog_path(root, language)
        entries = read_catalog(path) if path.exists() else []
        found[language] = [e for e in entries if (e.fuzzy or not e.translated)]
        if not path.exists():
            found[language].append(Entry(f"(no catalog {path})", frozenset(), False, False))
    return found


def read_catalog(path: Path) -> list[Entry]:
    """The entries of a .po file as makemessages writes it (blank lines between entries)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        files: set[str] = set()
        flags: set[str] = set()
        fields: dict[str, str] = {}
        field = None
        for line in block.splitlines():
            if line.startswith("#:"):
                files.update(location.rsplit(":", 1)[0] for location in line[2:].split())
            elif line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and field:
                fields[field] += ast.literal_eval(line)
            elif " " in line:
                field, quoted = line.split(" ", 1)
                fields[field] = ast.literal_eval(quoted)
        msgid = fields.get("msgid")
        if not msgid:  # the header, or nothing
            continue
        translations = [value for name, value in fields.items() if name.startswith("msgstr")]
        entries.append(
            Entry(
                msgid=msgid,
                files=frozenset(files),
                fuzzy="fuzzy" in flags,
                translated=bool(translations) and all(translations),
            )
        )
    return entries


@contextmanager
def _working_directory(path: Path) -> Iterator[None]:
    # makemessages reads the files under the current directory.
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
