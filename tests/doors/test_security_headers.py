"""Response headers that protect every door (docs/security.md, "Headers").

- Content-Security-Policy on every page: this site's own scripts, styles and images only, so an
  injected inline script or style does not run. tests/browser/test_content_security_policy.py
  checks in Chromium that our pages and the admin's run under it; here, that it is sent and that
  our templates keep no inline code that it would block.
- Cache-Control: no-store, private on what shows a person's data on shared workstations: the
  console, every report page and export, and the API's answers about agents.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.cache import get_max_age

from agents.services import agent_perform_action, offer_create
from tests.api.conftest import make_token, post_json
from tests.reports.timeline import at, rejection, timeline

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
WINDOW = "date_from=2025-03-01&date_to=2025-03-01&tz=UTC"
REPORTS = ["status-changes", "time-by-code", "time-by-code/matrix", "rejections", "live"]


def policy(response) -> set[str]:
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


def assert_not_stored(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]
    assert get_max_age(response) == 0


@pytest.fixture
def history(ana):
    timeline(
        ana,
        (at("2025-03-01 08:00"), "available"),
        (at("2025-03-01 10:00"), "on_break", "SHORT"),
        (at("2025-03-01 10:12"), "logged_out", "EOS"),
    )
    rejection(ana, at("2025-03-01 09:30"), "phone", "CASE")


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/console/",
        "/reports/",
        "/reports/time-by-code/",
        "/admin/",
        "/admin/statuscodes/statuscodelist/",
        "/api/v1/agents/me",
        "/api/v1/docs",
    ],
)
def test_every_page_carries_the_content_security_policy(client_for, superuser, ana, path):
    # ana for her console and state, the superuser for everything else.
    who = ana if path in ("/console/", "/api/v1/agents/me") else superuser
    response = client_for(who).get(path)
    assert response.status_code == 200
    assert policy(response) == POLICY


def test_the_policy_is_also_sent_to_anonymous_visitors(client):
    assert policy(client.get("/accounts/login/")) == POLICY


# What the policy blocks in a template: a <script> without src, a <style> block, an on…=
# event handler attribute, a style= attribute.
INLINE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=", re.IGNORECASE
)

TEMPLATE_COMMENT = re.compile(r"{% comment %}.*?{% endcomment %}|{#.*?#}", re.DOTALL)


def test_our_templates_hold_no_inline_code_the_policy_would_block():
    roots = [
        Path(settings.BASE_DIR) / name for name in ("templates", "agents", "reports", "statuscodes")
    ]
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for root in roots
        for path in root.rglob("*.html")
        for match in INLINE_CODE.finditer(TEMPLATE_COMMENT.sub("", path.read_text("utf-8")))
    ]
    assert found == []


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("export", ["", "&_export=csv", "&_export=xlsx"])
def test_report_pages_and_exports_are_not_stored(client_for, supervisor_a, history, report, export):
    response = client_for(supervisor_a).get(f"/reports/{report}/?{WINDOW}{export}")
    assert response.status_code == 200
    assert_not_stored(response)
    response.close()  # an export's file, not read here


def test_the_report_index_and_the_way_to_log_in_are_not_stored(
    client, client_for, supervisor_a, support_group
):
    assert_not_stored(client.get("/reports/time-by-code/"))  # the redirect to the login page
    assert_not_stored(client_for(supervisor_a).get("/reports/"))


def test_the_console_is_not_stored(client_for, ana):
    client = client_for(ana)
    assert_not_stored(client.get("/console/"))
    answer = client.post("/console/status/", {"action": "login"})
    assert answer.status_code == 302
    assert_not_stored(answer)
    offer = offer_create(agent=ana, channel="phone", actor=None)
    assert_not_stored(client.post(f"/console/offers/{offer.pk}/reject/", {"code": "CASE"}))
    assert_not_stored(client.post("/console/pending/cancel/"))


def test_the_api_answers_about_agents_are_not_stored(client, ana, sam):
    agent_perform_action(agent=ana, action="login", source="api")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {make_token(ana.user)[1]}"
    answers = [
        client.get("/api/v1/agents/me"),
        client.get("/api/v1/agents/ana"),
        post_json(client, "/api/v1/agents/me/rejections", {"channel": "phone", "code": "CASE"}),
        post_json(client, "/api/v1/agents/me/status", {"action": "take_break", "code": "LUNCH"}),
        # Refusals too: they still say what the agent's state is.
        post_json(client, "/api/v1/agents/me/status", {"action": "login"}),
        client.get("/api/v1/agents/sam"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 201, 200, 409, 403]
    for answer in answers:
        assert_not_stored(answer)
    client.defaults.pop("HTTP_AUTHORIZATION")
    assert_not_stored(client.get("/api/v1/agents/me"))  # 401
