"""The worker tests share the agent's day fixtures: the stopped clock."""

from tests.agentday.conftest import clock  # noqa: F401  (a fixture)
