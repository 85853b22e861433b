def test_password_reset_by_mail_is_not_offered(client, db):
    # No mail server is configured: administrators set passwords (README, "Roles").
    assert client.get("/accounts/password_reset/").status_code == 404


def test_a_user_can_change_their_own_password(client_for, ana):
    client = client_for(ana)
    assert client.get("/accounts/password_change/").status_code == 200
