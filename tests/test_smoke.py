from statuscodes.models import StatusCode, StatusCodeList


def test_offered_codes_are_active_for_the_action_and_in_order(support_list):
    offered = StatusCode.objects.offered(code_list=support_list, action="take_break")
    assert [c.code for c in offered] == ["LUNCH", "SHORT", "RESTROOM"]


def test_an_inactive_list_offers_nothing(support_list):
    StatusCodeList.objects.filter(pk=support_list.pk).update(active=False)
    support_list.refresh_from_db()
    assert not StatusCode.objects.offered(code_list=support_list, action="take_break").exists()
    assert not StatusCode.objects.offered(code_list=None, action="take_break").exists()
