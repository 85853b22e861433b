"""The shared fixtures build their code lists in bulk (`make_codes` in tests/conftest.py): what
they leave in the database — the codes, their action links and their audit history — is what
`make_code`, the ORM's way, leaves code by code."""

from statuscodes.models import StatusCode, StatusCodeList
from tests.conftest import make_code, make_codes

ROWS = [
    (
        "LUNCH",
        "Lunch",
        ["take_break"],
        {"sort_order": 0, "max_minutes": 60, "label_es": "Almuerzo"},
    ),
    ("MEETING", "Attend Meeting", ["work_offline"], {"sort_order": 10}),
    ("CASE", "Working on a Case", ["reject_phone", "reject_chat", "reject_email"], {}),
    ("NONE", "No action", [], {"description": "Offered for nothing"}),
    ("OLD", "Retired reason", ["take_break"], {"sort_order": 5, "active": False}),
]


def left_by(code_list) -> dict:
    """Every row about the list's codes, without ids, dates and the list itself."""
    ignored = {"id", "code_list"}
    history_ignored = {"history_id", "history_date", "code_list", "id"}
    left = {}
    for status_code in StatusCode.objects.filter(code_list=code_list):
        history = [
            (
                {
                    field.attname: getattr(record, field.attname)
                    for field in record._meta.concrete_fields
                    if field.name not in history_ignored
                },
                sorted(record.actions.values_list("action_id", flat=True)),
            )
            for record in status_code.history.order_by("history_date", "history_id")
        ]
        left[status_code.code] = {
            "row": {
                field.attname: getattr(status_code, field.attname)
                for field in StatusCode._meta.concrete_fields
                if field.name not in ignored
            },
            "actions": sorted(status_code.actions.values_list("key", flat=True)),
            "history": history,
        }
    return left


def test_codes_made_in_bulk_leave_what_codes_made_one_by_one_leave(db):
    one_by_one = StatusCodeList.objects.create(name="One by one")
    for code, label, actions, fields in ROWS:
        make_code(one_by_one, code, label, actions, **fields)
    in_bulk = StatusCodeList.objects.create(name="In bulk")
    make_codes(in_bulk, ROWS)

    assert left_by(in_bulk) == left_by(one_by_one)
    assert len(left_by(in_bulk)) == len(ROWS)
    assert [record[0]["history_type"] for record in left_by(in_bulk)["CASE"]["history"]] == [
        "+",
        "~",
    ]
