"""What blocks deleting agent groups and agents: asked of the services, shown by the admin."""

from agents.services import agent_deletion_blockers, agent_perform_action, group_deletion_blockers


def test_a_group_with_agents_cannot_be_deleted(support_group, sales_group, ana, sofia):
    assert group_deletion_blockers([support_group, sales_group]) == [
        "Agent group “Support Tier 1” has 2 agents: move them to another group first."
    ]


def test_an_agent_with_recorded_events_cannot_be_deleted(ana, sofia):
    agent_perform_action(agent=ana, action="login", source="console")

    assert agent_deletion_blockers([ana, sofia]) == [
        "Agent “ana” has 1 recorded event. Deactivate their user account instead: the history "
        "is kept."
    ]


def test_nothing_blocks_an_unused_group_or_agent(sales_group, sofia):
    assert group_deletion_blockers([sales_group]) == []
    assert agent_deletion_blockers([sofia]) == []
