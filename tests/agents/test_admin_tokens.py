"""API tokens: created in the admin, the key shown once, only its hash stored; revocation."""

import re

from django.contrib.admin import helpers
from django.urls import reverse

from agents.models import ApiToken

TOKENS = reverse("admin:agents_apitoken_changelist")


def create_token(client, user, name="Dialer"):
    return client.post(reverse("admin:agents_apitoken_add"), {"user": user.pk, "name": name})


def test_created_token_shows_its_key_once_and_stores_only_its_hash(ana, client_for, administrator):
    client = client_for(administrator)

    response = client.post(
        reverse("admin:agents_apitoken_add"), {"user": ana.user.pk, "name": "Dialer"}, follow=True
    )

    [key] = re.findall(r"<code class='api-token-key'>([^<]+)</code>", response.content.decode())
    token = ApiToken.objects.get(name="Dialer")
    assert token.user == ana.user
    assert token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[: ApiToken.PREFIX_LENGTH]
    assert key not in client.get(TOKENS).content.decode()
    change_page = client.get(reverse("admin:agents_apitoken_change", args=[token.pk]))
    assert key not in change_page.content.decode()
    assert token.key_hash in change_page.content.decode()


def test_token_key_fields_cannot_be_changed(ana, client_for, administrator):
    client = client_for(administrator)
    create_token(client, ana.user)
    token = ApiToken.objects.get()
    url = reverse("admin:agents_apitoken_change", args=[token.pk])

    client.post(url, {"name": "Wallboard", "key_hash": "0" * 64, "prefix": "hijacked", "user": 1})

    token.refresh_from_db()
    assert token.name == "Wallboard"
    assert token.key_hash != "0" * 64
    assert token.prefix != "hijacked"
    assert token.user == ana.user


def test_revoke_sets_the_revocation_time_and_the_filter_finds_it(
    ana, sam, client_for, administrator
):
    client = client_for(administrator)
    create_token(client, ana.user, "Dialer")
    create_token(client, sam.user, "Wallboard")
    dialer = ApiToken.objects.get(name="Dialer")

    response = client.post(
        TOKENS,
        {"action": "revoke", helpers.ACTION_CHECKBOX_NAME: [dialer.pk]},
        follow=True,
    )

    assert "1 token revoked." in response.content.decode()
    dialer.refresh_from_db()
    assert dialer.revoked_at is not None
    assert list(ApiToken.objects.usable().values_list("name", flat=True)) == ["Wallboard"]
    revoked = client.get(TOKENS, {"revoked": "yes"}).context["cl"].result_list
    assert [token.name for token in revoked] == ["Dialer"]


def test_revoking_twice_keeps_the_first_revocation_time(ana, client_for, administrator):
    client = client_for(administrator)
    create_token(client, ana.user)
    token = ApiToken.objects.get()
    selected = {"action": "revoke", helpers.ACTION_CHECKBOX_NAME: [token.pk]}
    client.post(TOKENS, selected)
    token.refresh_from_db()
    first = token.revoked_at

    response = client.post(TOKENS, selected, follow=True)

    token.refresh_from_db()
    assert token.revoked_at == first
    assert "0 tokens revoked." in response.content.decode()


def test_an_administrator_cannot_hand_out_a_token_acting_as_a_superuser(
    client_for, administrator, superuser
):
    response = create_token(client_for(administrator), superuser, name="Back door")

    assert response.status_code == 200
    assert "Only a superuser may create a token for “root”" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_superuser_may_create_a_token_for_an_integration_user(client_for, superuser):
    from django.contrib.auth.models import Group

    from tests.conftest import make_user

    telephony = make_user("telephony")
    telephony.groups.add(Group.objects.get(name="Integrations"))

    create_token(client_for(superuser), telephony)

    assert ApiToken.objects.get().user == telephony
