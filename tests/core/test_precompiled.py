"""Statements compiled once per process (core.precompiled): each runs the SQL the ORM would run
for the same values, and gives the same instances; a statement whose SQL would not be the same
from one call to the next is refused when compiled."""

import itertools
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from agents.auth import USABLE_TOKEN
from agents.models import Agent, ApiToken, StatusEvent
from agents.selectors import CODES_OFFERED, SITUATION
from agents.services import (
    AGENT_TO_LOCK_BY_USER_ID,
    AGENT_TO_LOCK_BY_USERNAME,
    ENDED_AT_UPDATE,
    agent_perform_action,
)
from core.precompiled import PrecompiledQuery, PrecompilingError
from core.sessions import UNEXPIRED_SESSION
from tests.api.conftest import make_token


def statements(ana, token, session_key):
    lock = {"timeout_ms": 2000}
    return [
        (AGENT_TO_LOCK_BY_USER_ID, lock, {"user_id": ana.user_id}),
        (AGENT_TO_LOCK_BY_USERNAME, lock, {"username": "ana"}),
        (AGENT_TO_LOCK_BY_USERNAME, lock, {"username": "nobody"}),
        (SITUATION, {}, {"agent_id": ana.pk}),
        *(
            (
                CODES_OFFERED,
                {"alphabetical": alphabetical, "language": language, "active_language": "en"},
                {"code_list_id": ana.group.code_list_id},
            )
            for alphabetical, language in itertools.product([False, True], ["en", "es"])
        ),
        (USABLE_TOKEN, {}, {"key_hash": token.key_hash}),
        (UNEXPIRED_SESSION, {}, {"session_key": session_key, "now": timezone.now()}),
    ]


def fields_of(instance, depth: int = 3) -> dict:
    """What a model instance holds: its values, annotations and the related instances read
    (select_related also links them back: followed `depth` levels)."""
    values = {k: v for k, v in vars(instance).items() if k != "_state"}
    if depth:
        for name, obj in instance._state.fields_cache.items():
            values[name] = fields_of(obj, depth - 1) if obj else obj
    return values


@pytest.mark.django_db(transaction=False)
def test_each_statement_runs_the_orms_sql_and_gives_its_instances(ana, client):
    agent_perform_action(agent=ana, action="login", source="console")  # an ongoing interval
    token, _key = make_token(ana.user)
    client.force_login(ana.user)
    session_key = client.session.session_key
    for statement, context, values in statements(ana, token, session_key):
        orm_sql = statement.orm_sql(context=context, **values)
        assert statement.precompiled_sql(context=context, **values) == orm_sql
        queryset = statement._build(**context, **values)
        with translation.override(context.get("active_language", "en")):
            assert [fields_of(o) for o in statement.all(context=context, **values)] == [
                fields_of(o) for o in queryset
            ]


def test_sql_that_changes_from_call_to_call_is_refused(db):
    calls = itertools.count()
    moving = PrecompiledQuery(
        lambda *, user_id: Agent.objects.filter(user_id=user_id, pk__gt=next(calls)), user_id=int
    )
    with pytest.raises(PrecompilingError):
        moving.all(user_id=1)


def test_a_parameter_the_orm_transforms_is_refused(db):
    contains = PrecompiledQuery(
        lambda *, name: ApiToken.objects.filter(name__contains=name), name=str
    )
    with pytest.raises(PrecompilingError):
        contains.all(name="x")


def test_the_lock_statement_reads_the_timeout_it_was_compiled_with(ana):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite waits for its lock as the transaction begins")
    short = AGENT_TO_LOCK_BY_USER_ID.precompiled_sql(context={"timeout_ms": 5}, user_id=1)
    long = AGENT_TO_LOCK_BY_USER_ID.precompiled_sql(context={"timeout_ms": 5000}, user_id=1)
    assert ("5ms" in short[1], "5000ms" in long[1]) == (True, True)


def test_the_update_of_an_intervals_end_runs_the_orms_statement(ana):
    agent_perform_action(agent=ana, action="login", source="console")
    ongoing = StatusEvent.objects.get(agent=ana)
    ongoing.ended_at = ongoing.started_at + timedelta(minutes=5)
    with CaptureQueriesContext(connection) as by_the_orm:
        ongoing.save(update_fields=["ended_at"])
    with CaptureQueriesContext(connection) as precompiled:
        ENDED_AT_UPDATE.save(ongoing)
    assert [q["sql"] for q in precompiled] == [q["sql"] for q in by_the_orm]
    StatusEvent.objects.filter(pk=ongoing.pk).delete()
    with pytest.raises(DatabaseError):
        ENDED_AT_UPDATE.save(ongoing)


def test_a_receiver_of_the_intervals_saves_is_still_called(ana):
    saved = []

    def record(sender, instance, update_fields, **kwargs):
        saved.append(update_fields)

    post_save.connect(record, sender=StatusEvent)
    try:
        agent_perform_action(agent=ana, action="login", source="console")
        agent_perform_action(agent=ana, action="take_break", code="LUNCH", source="console")
    finally:
        post_save.disconnect(record, sender=StatusEvent)
    assert saved == [None, frozenset({"ended_at"}), None]
