"""Status after login, per group (docs/concepts.md, "Status after login")."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agents.services import agent_perform_action
from statuscodes.models import StatusCode
from tests.agentday.conftest import T0, login, timeline

pytestmark = pytest.mark.django_db


def test_login_leads_to_available_by_default(ana, clock):
    assert login(ana).status == "available"


def test_a_group_may_log_its_agents_in_on_break_with_a_code(ana, support_group, clock):
    support_group.login_status = "on_break"
    support_group.login_code = StatusCode.objects.get(
        code_list=support_group.code_list, code="SHORT"
    )
    support_group.full_clean()
    support_group.save()
    state = login(ana)
    assert (state.status, state.code.code) == ("on_break", "SHORT")
    assert timeline(ana) == [(T0, "on_break", "SHORT", "api", None)]
    # From there the agent goes available as from any break.
    assert agent_perform_action(agent=ana, action="go_available", source="api").status == (
        "available"
    )


def test_work_offline_after_login_without_a_code(ana, support_group):
    support_group.login_status = "work_offline"
    support_group.save()
    state = login(ana)
    assert (state.status, state.code) == ("work_offline", None)


@pytest.mark.parametrize(
    ("status", "list_name", "code", "message"),
    [
        ("on_break", "Sales", "LUNCH", "group's status code list"),
        ("on_break", "Support", "MEETING", "does not apply"),
        ("available", "Support", "LUNCH", "Available carries no code"),
    ],
)
def test_the_code_after_login_is_checked(
    support_group, sales_list, status, list_name, code, message
):
    support_group.login_status = status
    support_group.login_code = StatusCode.objects.get(code_list__name=list_name, code=code)
    with pytest.raises(ValidationError) as invalid:
        support_group.full_clean()
    assert message in str(invalid.value.message_dict["login_code"])


def test_the_database_refuses_a_code_with_available(support_group):
    support_group.login_code = StatusCode.objects.get(code_list__name="Support", code="LUNCH")
    with pytest.raises(IntegrityError), transaction.atomic():
        support_group.save()
