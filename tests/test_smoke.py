from statuscodes.models import StatusCode


def test_offered_codes_are_active_for_the_action_and_in_order(support_list):
    offered = StatusCode.objects.offered_for(code_list=support_list, action="take_break")
    assert [c.code for c in offered] == ["LUNCH", "SHORT", "RESTROOM"]
