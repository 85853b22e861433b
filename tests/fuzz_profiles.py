"""How hard the fuzz tests (marker `fuzz`: hypothesis properties, schemathesis) search.

One definition for every fuzz test, loaded by tests/conftest.py before any test module:

- `fast`, the default: 20 examples per property, so that `make test` stays quick on both
  databases (every run of CI searches afresh: over many runs the examples add up);
- `thorough`: 50 times more (1,000 per property), for an occasional deeper search — before a
  release, or after changing the imports or the API:
  `HYPOTHESIS_PROFILE=thorough make test PYTEST_ARGS="-m fuzz"`.

A test that needs a budget of its own (the API schema fuzzing, one test per operation) writes
it for the fast profile with `@budget(n)`, and the thorough profile scales it the same way.
"""

import os

from hypothesis import HealthCheck, settings

FAST = "fast"
THOROUGH = "thorough"
FAST_EXAMPLES = 20
THOROUGH_FACTOR = 50

settings.register_profile(
    FAST,
    max_examples=FAST_EXAMPLES,
    # An example may run a whole import or request against the database: slow, and the
    # fixtures are built once per test, not per example (each example runs in a savepoint that
    # is rolled back), which hypothesis would otherwise flag.
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    THOROUGH, parent=settings.get_profile(FAST), max_examples=FAST_EXAMPLES * THOROUGH_FACTOR
)


def load_profile() -> str:
    """Load the profile named by HYPOTHESIS_PROFILE (default `fast`); return its name."""
    name = os.environ.get("HYPOTHESIS_PROFILE") or FAST
    settings.load_profile(name)
    return name


def budget(examples: int) -> settings:
    """Settings for `examples` examples per test in the fast profile, scaled like the profile.

    Call it after the profile is loaded (test modules are imported after tests/conftest.py).
    """
    scale = settings.default.max_examples / FAST_EXAMPLES
    return settings(max_examples=max(1, round(examples * scale)))
