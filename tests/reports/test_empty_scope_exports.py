"""A supervisor whose groups have no agent yet: every report and export answers, empty."""

import pytest

from agents.models import AgentGroup
from tests.conftest import make_user
from tests.reports.conftest import WINDOW

REPORTS = [
    "/reports/status-changes/",
    "/reports/time-by-code/",
    "/reports/time-by-code/matrix/",
    "/reports/rejections/",
    "/reports/live/",
]


@pytest.fixture
def lonely_supervisor(support_list):
    supervisor = make_user("lonely")
    AgentGroup.objects.create(name="New team", code_list=support_list).supervisors.add(supervisor)
    return supervisor


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize("variant", ["", "csv", "xlsx"])
def test_a_supervisor_of_an_empty_group_gets_empty_reports(
    client_for, history, lonely_supervisor, url, variant
):
    params = dict(WINDOW, _export=variant) if variant else WINDOW
    response = client_for(lonely_supervisor).get(url, params)
    assert response.status_code == 200
    if variant == "csv":
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        assert len(lines) == 1  # the header only
