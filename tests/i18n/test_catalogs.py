"""The translation catalogs: every message of the interface is translated, and the check says
which ones are not."""

import shutil
import socket

import pytest
from django.core.management import CommandError, call_command

from core import catalogs

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext (xgettext, msgmerge) is not installed: apt-get install gettext",
)


@needs_gettext
def test_every_message_is_translated_in_every_language(capsys):
    # makemessages runs in a copy of the project: a message added to the code or a template
    # without its translations fails here, listed.
    call_command("check_translations")
    assert "Every message is translated in: es, fr." in capsys.readouterr().out


CATALOG = """\
msgid ""
msgstr ""
"Language: es\\n"

#: agents/views.py
msgid "Sign out"
msgstr "Salir del sitio"

#: reports/views.py
#, fuzzy, python-format
msgid "Live board %(x)s"
msgstr "Panel %(x)s"

#: core/templates/base.html
msgid ""
"Skip to "
"content"
msgstr ""

#: agents/admin.py
msgid "%(count)d token revoked."
msgid_plural "%(count)d tokens revoked."
msgstr[0] "%(count)d token revocado."
msgstr[1] ""

#: agents/services.py agents/api.py
msgid "Not found."
msgstr ""

#: agents/services.py agents/views.py
msgid "nothing"
msgstr ""
"""


def test_the_check_lists_untranslated_fuzzy_and_half_translated_plurals(tmp_path, settings):
    settings.LANGUAGES = [("en", "English"), ("es", "Español")]
    path = catalogs.catalog_path(tmp_path, "es")
    path.parent.mkdir(parents=True)
    path.write_text(CATALOG, encoding="utf-8")
    problems = catalogs.problems(tmp_path)
    assert [(entry.msgid, entry.fuzzy) for entry in problems["es"]] == [
        ("Live board %(x)s", True),
        ("Skip to content", False),
        ("%(count)d token revoked.", False),
        ("Not found.", False),
        ("nothing", False),
    ]


def test_a_language_without_a_catalog_is_a_problem(tmp_path, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    [problem] = catalogs.problems(tmp_path)["de"]
    assert "no catalog" in problem.msgid


def test_make_run_says_when_its_port_is_taken():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Port {port} on 127.0.0.1 is already in use"):
            call_command("check_port", "127.0.0.1", str(port))
    call_command("check_port", "127.0.0.1", str(port))  # free again
