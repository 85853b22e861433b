"""Filters that scale (docs/reports.md, "Filters"): several agents and codes at once, the agent
picker's search limited to the reader's scope, time zones with the common ones first."""

import csv
import io

import pytest
import time_machine

from agents.models import Agent
from reports import forms
from statuscodes.models import StatusCode
from tests.conftest import make_agent, make_code
from tests.reports.conftest import WINDOW

SEARCH = "/reports/pickers/agents/"
ZONES = "/reports/pickers/time-zones/"
CODES = "/reports/pickers/codes/"


def pk(username: str) -> int:
    return Agent.objects.get(user__username=username).pk


def code_pk(code: str) -> int:
    return StatusCode.objects.get(code=code, code_list__name="Support").pk


def exported(client, url, **filters) -> list[dict]:
    response = client.get(url, {**WINDOW, **filters, "_export": "csv"})
    assert response.status_code == 200, response.content
    return list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )


@pytest.fixture
def named(history):
    for username, first, last in (("ana", "Ana", "García"), ("sofia", "Sofía", "Martín")):
        Agent.objects.get(user__username=username).user.__class__.objects.filter(
            username=username
        ).update(first_name=first, last_name=last)


@pytest.mark.parametrize(
    "url", ["/reports/status-changes/", "/reports/time-by-code/", "/reports/rejections/"]
)
@time_machine.travel("2026-06-01 12:00:00+00:00", tick=False)
def test_several_agents_at_once(client_for, history, superuser, url):
    # The clock stands still: an ongoing interval's duration counts up to now, in each export.
    client = client_for(superuser)
    everyone = {row["agent"] for row in exported(client, url)}
    assert everyone == {"ana", "sofia", "sam"}
    chosen = exported(client, url, agent=[pk("ana"), pk("sam")])
    assert {row["agent"] for row in chosen} == {"ana", "sam"}
    assert [row for row in exported(client, url) if row["agent"] != "sofia"] == chosen


def test_several_codes_at_once_with_or_without_no_code(client_for, history, superuser):
    client = client_for(superuser)
    url = "/reports/time-by-code/"
    both = exported(client, url, code=[code_pk("SHORT"), code_pk("MEETING")])
    assert {row["code"] for row in both} == {"SHORT", "MEETING"}
    changes = exported(client, "/reports/status-changes/", code=[code_pk("EOS"), "none"])
    assert {row["code"] for row in changes} == {"EOS", ""}
    assert len([row for row in changes if row["code"] == ""]) == 6
    assert len(changes) == len(exported(client, "/reports/status-changes/", code="none")) + len(
        exported(client, "/reports/status-changes/", code=code_pk("EOS"))
    )


def test_an_agent_outside_the_scope_among_others_is_refused(client_for, history, supervisor_a):
    response = client_for(supervisor_a).get(
        "/reports/time-by-code/", {**WINDOW, "agent": [pk("ana"), pk("sam")], "_export": "csv"}
    )
    assert response.status_code == 400
    assert f"Select a valid choice. {pk('sam')} is not one of the available choices." in (
        response.content.decode()
    )


def test_the_export_links_keep_every_agent_chosen(client_for, history, superuser):
    response = client_for(superuser).get(
        "/reports/time-by-code/", {**WINDOW, "agent": [pk("ana"), pk("sam")]}
    )
    link = response.context["export_links"]["csv"]
    assert f"agent={pk('ana')}" in link and f"agent={pk('sam')}" in link


def test_the_picker_finds_agents_by_full_name_within_the_scope(
    client_for, named, supervisor_a, supervisor_b, superuser
):
    def found(client, term):
        response = client.get(SEARCH, {"term": term})
        assert response.status_code == 200
        return [result["text"] for result in response.json()["results"]]

    assert found(client_for(superuser), "ana gar") == ["Ana García (ana)"]
    assert found(client_for(superuser), "GARCIA") == ["Ana García (ana)"]
    assert found(client_for(superuser), "sofia martin") == ["Sofía Martín (sofia)"]
    assert found(client_for(superuser), "") == ["Ana García (ana)", "sam", "Sofía Martín (sofia)"]
    assert found(client_for(supervisor_a), "") == ["Ana García (ana)", "Sofía Martín (sofia)"]
    # A supervisor of Sales cannot enumerate Support's agents through it.
    assert found(client_for(supervisor_b), "") == ["sam"]
    assert found(client_for(supervisor_b), "ana") == []


def test_the_picker_pages_its_results(client_for, support_group, superuser):
    for number in range(25):
        make_agent(f"agent{number:02d}", support_group)
    client = client_for(superuser)
    first = client.get(SEARCH, {"term": "agent"}).json()
    second = client.get(SEARCH, {"term": "agent", "page": 2}).json()
    assert len(first["results"]) == 20 and first["pagination"]["more"] is True
    assert len(second["results"]) == 5 and second["pagination"]["more"] is False


def test_the_pickers_are_for_report_readers_only(client, client_for, ana):
    assert client.get(SEARCH).status_code == 302
    assert client.get(ZONES).status_code == 302
    assert client.get(CODES).status_code == 302
    assert client_for(ana.user).get(SEARCH).status_code == 403
    assert client_for(ana.user).get(CODES).status_code == 403


def test_a_large_center_page_writes_only_the_chosen_agents(
    client_for, named, superuser, monkeypatch
):
    monkeypatch.setattr(forms, "ALL_AGENT_OPTIONS_UP_TO", 2)
    client = client_for(superuser)
    page = client.get("/reports/time-by-code/", {**WINDOW, "agent": [pk("sam")]}).content.decode()
    assert f'<option value="{pk("sam")}" selected>sam</option>' in page
    assert "Ana García" not in page and "Sofía" not in page
    # A small one lists them all, so that the list works without JavaScript.
    monkeypatch.setattr(forms, "ALL_AGENT_OPTIONS_UP_TO", 100)
    page = client.get("/reports/time-by-code/", WINDOW).content.decode()
    assert f'<option value="{pk("ana")}">Ana García (ana)</option>' in page


def test_time_zones_list_the_common_ones_first(client_for, history, superuser, settings):
    client = client_for(superuser)
    page = client.get("/reports/time-by-code/", {**WINDOW, "tz": "Asia/Kolkata"})
    options = page.context["filterset"].form.fields["tz"].choices
    common = [name for name, _label in options[0][1]]
    assert common == list(dict.fromkeys(["Asia/Kolkata", settings.TIME_ZONE, "UTC"]))
    assert len(options[1][1]) > 300
    # The zone chosen last comes first in the picker's search too.
    groups = client.get(ZONES, {"term": "a"}).json()["results"]
    assert [child["id"] for child in groups[0]["children"]][0] == "Asia/Kolkata"
    found = client.get(ZONES, {"term": "new york"}).json()["results"]
    assert [child["id"] for group in found for child in group["children"]] == ["America/New_York"]


def test_the_page_writes_the_common_time_zones_only(client_for, history, superuser, settings):
    settings.TIME_ZONE = "Europe/Madrid"
    client = client_for(superuser)
    page = client.get("/reports/time-by-code/", WINDOW).content.decode()
    # The zone in use and the center's.
    assert '<option value="UTC" selected>' in page
    assert '<option value="Europe/Madrid">' in page
    assert "Asia/Tokyo" not in page
    # Any other zone is found by typing, or given in the address, and then shown chosen.
    page = client.get("/reports/time-by-code/", {**WINDOW, "tz": "Asia/Tokyo"})
    assert page.context["filterset"].form.cleaned_data["tz"].key == "Asia/Tokyo"
    assert '<option value="Asia/Tokyo" selected>' in page.content.decode()
    assert client.get(ZONES, {"term": "tokyo"}).json()["results"][0]["children"] == [
        {"id": "Asia/Tokyo", "text": "Asia/Tokyo"}
    ]


def found_codes(client, term: str = "", **headers) -> list[str]:
    response = client.get(CODES, {"term": term}, headers=headers)
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


def test_the_code_picker_finds_the_codes_of_the_readers_lists_only(
    client_for, history, supervisor_a, supervisor_b, superuser
):
    # A supervisor of Sales finds Sales' codes and "(no code)", never Support's.
    assert found_codes(client_for(supervisor_b)) == [
        "(no code)",
        "Sales / LUNCH — Lunch",
        "Sales / COACHING — Sales coaching",
        "Sales / EOS — End of shift",
    ]
    assert found_codes(client_for(supervisor_b), "meeting") == []
    assert found_codes(client_for(supervisor_a), "meeting") == [
        "Support / MEETING — Attend Meeting"
    ]
    # A reader of every group finds both lists' lunches.
    assert found_codes(client_for(superuser), "lunch") == [
        "Sales / LUNCH — Lunch",
        "Support / LUNCH — Lunch",
    ]


def test_the_code_picker_searches_key_list_and_label_in_the_readers_language(
    client_for, history, supervisor_a
):
    client = client_for(supervisor_a)
    assert found_codes(client, "support tec") == ["Support / TECH — Technical Issue"]
    assert found_codes(client, "short break") == ["Support / SHORT — Short Break"]
    assert found_codes(client, "no code") == ["(no code)"]
    # Retired codes have history: they are found too.
    assert found_codes(client, "retired") == ["Support / RETIRED — Retired reason"]
    spanish = found_codes(client, "almuerzo", **{"accept-language": "es"})
    assert spanish == ["Support / LUNCH — Almuerzo"]
    # Accents and letter case aside, as the admin's searches.
    assert found_codes(client, "REUNION", **{"accept-language": "es"}) == [
        "Support / MEETING — Reunión"
    ]
    # A code without a translation is shown and found by its primary language's label.
    assert found_codes(client, "retired", **{"accept-language": "es"}) == [
        "Support / RETIRED — Retired reason"
    ]
    assert found_codes(client, "SIN codigo", **{"accept-language": "es"}) == ["(sin código)"]


def test_the_code_picker_pages_its_results(client_for, support_list, support_group, superuser):
    for number in range(21):
        make_code(support_list, f"EXTRA{number:02d}", f"Extra {number}", ["take_break"])
    client = client_for(superuser)
    first = client.get(CODES, {"term": "extra"}).json()
    second = client.get(CODES, {"term": "extra", "page": 2}).json()
    assert len(first["results"]) == 20 and first["pagination"]["more"] is True
    assert [result["id"] for result in second["results"]] == [
        str(StatusCode.objects.get(code="EXTRA20").pk)
    ]
    assert second["pagination"]["more"] is False


def test_the_page_keeps_the_chosen_codes_in_the_picker_and_the_export_links(
    client_for, history, supervisor_a
):
    client = client_for(supervisor_a)
    for url in ("/reports/time-by-code/", "/reports/time-by-code/matrix/", "/reports/live/"):
        response = client.get(url, {**WINDOW, "code": [code_pk("LUNCH"), "none"]})
        page = response.content.decode()
        assert 'data-ajax--url="/reports/pickers/codes/"' in page, url
        assert f'<option value="{code_pk("LUNCH")}" selected>Support / LUNCH — Lunch</option>' in (
            page
        )
        assert '<option value="none" selected>(no code)</option>' in page
        # The others are listed too, not chosen: the list works without JavaScript.
        assert f'<option value="{code_pk("SHORT")}">Support / SHORT — Short Break</option>' in (
            page
        )
        assert "Sales / COACHING" not in page
        for link in response.context["export_links"].values():
            assert f"code={code_pk('LUNCH')}" in link and "code=none" in link
