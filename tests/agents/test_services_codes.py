"""Which codes are offered, when one is required, and why one is refused (docs/concepts.md, "The
workflow rules")."""

import pytest
from django.utils import translation

from agents.models import StatusEvent
from agents.selectors import agent_code_choices, code_label
from agents.services import ActionRefused, agent_offered_codes, agent_perform_action
from statuscodes.models import StatusCode
from tests.conftest import make_agent, make_code


def act(agent, action, code=None):
    return agent_perform_action(agent=agent, action=action, code=code, source="api")


def refusal(agent, action, code=None):
    with pytest.raises(ActionRefused) as refused:
        act(agent, action, code)
    return refused.value


@pytest.fixture
def ana_available(ana):
    act(ana, "login")
    return ana


def test_offered_codes_are_the_active_codes_of_the_groups_list_for_the_action_in_order(ana):
    assert [c.code for c in agent_offered_codes(agent=ana, action="take_break")] == [
        "LUNCH",
        "SHORT",
        "RESTROOM",
    ]
    assert [c.code for c in agent_offered_codes(agent=ana, action="reject_phone")] == [
        "CASE",
        "TECH",
    ]
    assert agent_offered_codes(agent=ana, action="reject_voicemail") == []


def test_sort_order_decides_the_drop_down_order(ana, support_list):
    StatusCode.objects.filter(code_list=support_list, code="LUNCH").update(sort_order=100)
    offered = [c.code for c in agent_offered_codes(agent=ana, action="take_break")]
    assert offered == ["SHORT", "RESTROOM", "LUNCH"]


def test_each_agent_is_offered_the_list_of_their_own_group(ana, sam):
    assert [c.code for c in agent_offered_codes(agent=sam, action="take_break")] == ["LUNCH"]
    assert [c.code_list.name for c in agent_offered_codes(agent=sam, action="take_break")] == [
        "Sales"
    ]
    assert [c.code for c in agent_offered_codes(agent=sam, action="work_offline")] == ["COACHING"]


def test_labels_follow_the_agents_language_with_fallback_to_the_primary_language(
    ana, sofia, support_group
):
    french = make_agent("francois", support_group, language="fr")
    for agent, expected in [
        (ana, ["Lunch", "Short Break", "Restroom"]),
        (sofia, ["Almuerzo", "Descanso corto", "Baño"]),
        # No French labels were given: the primary language's are shown.
        (french, ["Lunch", "Short Break", "Restroom"]),
    ]:
        choices = agent_code_choices(agent=agent)
        assert [c.label for c in choices["take_break"]] == expected
    lunch = agent_offered_codes(agent=sofia, action="take_break")[0]
    assert code_label(code=lunch, language="es") == "Almuerzo"
    assert code_label(code=lunch, language="fr") == "Lunch"


def test_code_choices_list_every_coded_action_even_without_codes(sam):
    choices = agent_code_choices(agent=sam)
    assert list(choices) == [
        "take_break",
        "work_offline",
        "logout",
        "reject_phone",
        "reject_chat",
        "reject_email",
        "reject_voicemail",
    ]
    assert choices["reject_phone"] == []
    assert [c.code for c in choices["logout"]] == ["EOS"]


def test_code_choices_follow_an_alphabetical_list_in_the_agents_language(ana, sofia, support_list):
    support_list.code_order = "alphabetical"
    support_list.save()
    assert [c.label for c in agent_code_choices(agent=ana)["take_break"]] == [
        "Lunch",
        "Restroom",
        "Short Break",
    ]
    # The same codes sorted by their Spanish labels: Almuerzo, Baño, Descanso corto.
    assert [c.code for c in agent_code_choices(agent=sofia)["take_break"]] == [
        "LUNCH",
        "RESTROOM",
        "SHORT",
    ]
    assert [c.code for c in agent_offered_codes(agent=ana, action="take_break")] == [
        c.code for c in agent_code_choices(agent=ana)["take_break"]
    ]


def test_code_choices_take_one_query(ana, django_assert_num_queries):
    with django_assert_num_queries(1):
        agent_code_choices(agent=ana)


def test_take_break_without_code_is_refused(ana_available):
    refused = refusal(ana_available, "take_break")
    assert refused.key == "code_required"
    assert "LUNCH (Lunch), SHORT (Short Break), RESTROOM (Restroom)" in refused.detail
    assert StatusEvent.objects.filter(agent=ana_available).count() == 1


def test_required_code_message_names_the_codes_in_the_language_it_is_worded_in(sofia):
    # The console words it in the agent's language, the API in the request's: the labels follow.
    act(sofia, "login")
    with translation.override("es"):
        assert "LUNCH (Almuerzo)" in refusal(sofia, "take_break").detail
    with translation.override("en"):
        assert "LUNCH (Lunch)" in refusal(sofia, "take_break").detail


def test_blank_code_counts_as_no_code(ana_available):
    assert refusal(ana_available, "take_break", "  ").key == "code_required"


def test_code_of_another_list_is_refused(ana_available):
    refused = refusal(ana_available, "work_offline", "COACHING")
    assert refused.key == "code_not_offered"
    assert "Support" in refused.detail


def test_unknown_code_is_refused(ana_available):
    refused = refusal(ana_available, "take_break", "NOPE")
    assert refused.key == "code_not_offered"
    assert "NOPE" in refused.detail


def test_codes_are_matched_exactly(ana_available):
    assert refusal(ana_available, "take_break", "lunch").key == "code_not_offered"


def test_inactive_code_is_refused(ana_available):
    refused = refusal(ana_available, "take_break", "RETIRED")
    assert refused.key == "code_inactive"
    assert refused.detail == "The code “Retired reason” is no longer active; choose another one."


def test_code_for_another_action_is_refused_and_says_where_it_applies(ana_available):
    refused = refusal(ana_available, "take_break", "MEETING")
    assert refused.key == "code_not_for_action"
    assert "Work offline" in refused.detail and "Take break" in refused.detail


def test_code_on_an_action_that_takes_none_is_refused(ana):
    refused = refusal(ana, "login", "LUNCH")
    assert refused.key == "code_not_for_action"
    assert not StatusEvent.objects.exists()


def test_refused_codes_record_nothing(ana_available):
    for code in (None, "COACHING", "NOPE", "RETIRED", "MEETING"):
        with pytest.raises(ActionRefused):
            act(ana_available, "take_break", code)
    assert StatusEvent.objects.filter(agent=ana_available).count() == 1
    assert StatusEvent.objects.get(agent=ana_available).ended_at is None


def test_valid_code_is_recorded(ana_available):
    state = act(ana_available, "take_break", "RESTROOM")
    event = StatusEvent.objects.get(agent=ana_available, status="on_break")
    assert event.code.code == "RESTROOM" and event.code.code_list.name == "Support"
    assert event.source == "api"
    assert state.code == event.code


def test_disabled_agent_proceeds_without_code(nocode):
    act(nocode, "login")
    state = act(nocode, "take_break")
    assert (state.status, state.code) == ("on_break", None)
    assert act(nocode, "logout").status == "logged_out"


def test_disabled_agent_who_gives_a_valid_code_keeps_it(nocode):
    act(nocode, "login")
    assert act(nocode, "take_break", "LUNCH").code.code == "LUNCH"


def test_disabled_agent_with_an_invalid_code_is_still_refused(nocode):
    act(nocode, "login")
    assert refusal(nocode, "take_break", "NOPE").key == "code_not_offered"
    assert refusal(nocode, "take_break", "MEETING").key == "code_not_for_action"


def test_the_switch_is_read_at_the_moment_of_the_action(ana_available):
    ana_available.status_codes_enabled = False
    ana_available.save()
    assert act(ana_available, "take_break").status == "on_break"


def test_action_without_offered_codes_proceeds_without_code(ana_available, support_list):
    StatusCode.objects.filter(code_list=support_list, code__in=["MEETING", "TRAINING"]).update(
        active=False
    )
    state = act(ana_available, "work_offline")
    assert (state.status, state.code) == ("work_offline", None)


def test_group_without_list_proceeds_without_code_and_refuses_codes(ana_available):
    group = ana_available.group
    group.code_list = None
    group.save()
    refused = refusal(ana_available, "take_break", "LUNCH")
    assert refused.key == "code_not_offered"
    assert "no status code list" in refused.detail
    assert act(ana_available, "take_break").code is None


def test_an_inactive_list_offers_no_code(ana_available, support_list):
    support_list.active = False
    support_list.save()
    assert agent_offered_codes(agent=ana_available, action="take_break") == []
    assert refusal(ana_available, "take_break", "LUNCH").key == "code_inactive"
    assert act(ana_available, "take_break").code is None


def test_a_code_added_to_the_list_is_offered_at_once(ana_available, support_list):
    make_code(support_list, "DOCTOR", "Doctor", ["take_break"], sort_order=1)
    assert act(ana_available, "take_break", "DOCTOR").code.code == "DOCTOR"
