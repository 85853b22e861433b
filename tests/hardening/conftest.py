"""Hypothesis profiles of the hardening tests.

`hardening` (the default) keeps each property to a few dozen examples, so the suite stays fast
on both databases; `HYPOTHESIS_PROFILE=thorough` runs a thousand per property, for a deeper
search before a release or after changing the imports.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "hardening",
    max_examples=40,
    # An example runs a whole import against the database: slow, and the fixtures are built
    # once per test, not per example (each example runs in a savepoint that is rolled back).
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("hardening"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hardening"))
