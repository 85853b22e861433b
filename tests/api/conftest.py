"""Helpers of the API tests: JSON requests and an integration user with a token."""

import json

import pytest
from django.contrib.auth.models import Permission

from agents.models import ApiToken
from tests.conftest import make_user


def post_json(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def integration(db):
    """A user allowed to act for other agents, as the telephony integration would be."""
    user = make_user("telephony")
    user.user_permissions.add(Permission.objects.get(codename="act_for_other_agents"))
    return user


def make_token(user, name="integration"):
    token = ApiToken(user=user, name=name)
    key = token.set_new_key()
    token.save()
    return token, key


@pytest.fixture
def integration_key(integration):
    return make_token(integration)[1]
