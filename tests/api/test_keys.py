"""API keys: made by the command or the admin, shown once, stored hashed, revoked."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from api.keys import api_key_check
from api.models import ApiKey
from tests.api.conftest import client_with

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_once_and_stores_its_hash(roles, dealer, other_dealer):
    out = StringIO()
    call_command(
        "api_key", "create", "--name", "CTI", "--dealer", "GZ01", "--dealer", "SZ02",
        "--scope", "customers:read", "calls:write", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    plain = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert plain.startswith(f"cac_{key.prefix}_") and plain not in key.key_hash
    assert set(key.user.dealers.values_list("code", flat=True)) == {"GZ01", "SZ02"}
    assert key.scopes == ["customers:read", "calls:write"]
    assert key.user.has_perm("cac.add_calllog") and not key.user.has_perm("complaints.add_complaint")
    assert not key.user.has_usable_password()
    assert api_key_check(plain) == key
    assert client_with(plain).get(reverse("api:customer_lookup"), {"phone": "13800138000"}).status_code == 200

    call_command("api_key", "revoke", key.prefix, stdout=StringIO())
    assert api_key_check(plain) is None


def test_the_command_refuses_an_unknown_dealer_or_scope(roles, dealer):
    with pytest.raises(CommandError, match="XX99"):
        call_command("api_key", "create", "--name", "x", "--dealer", "XX99", "--scope", "calls:write")
    with pytest.raises(CommandError):
        call_command("api_key", "create", "--name", "x", "--dealer", "GZ01", "--scope", "calls:delete")
    assert not ApiKey.objects.exists()


def test_the_admin_makes_a_key_and_shows_it_once(admin_client, dealer, roles):
    response = admin_client.post(
        reverse("admin:api_apikey_add"),
        {"name": "OEM CAC", "dealers": [dealer.pk], "scopes": ["complaints:write", "complaints:read"]},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    plain = next(re.search(rf"cac_{key.prefix}_\S+", text).group() for text in shown if f"cac_{key.prefix}_" in text)
    assert api_key_check(plain) == key
    assert list(key.user.dealers.all()) == [dealer]
    assert plain not in admin_client.get(reverse("admin:api_apikey_change", args=[key.pk])).content.decode()


def test_a_malformed_key_is_401_not_500(api):
    for header in ("Bearer", "Basic abc", "Bearer cac_", "Bearer cac_x_y_z", "Bearer " + "é"):
        client = client_with("x")
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get(reverse("api:complaints")).status_code == 401, header


def test_a_keys_account_is_never_offered_as_owner_or_handler(make_key, make_user, dealer):
    from cac.desk.selectors import staff_list
    from complaints.selectors import complaint_handler_list

    make_key(dealer)
    manager = make_user("service_manager", dealer, username="manager")
    key_account = ApiKey.objects.get().user
    assert key_account.is_integration and key_account.dealers.filter(pk=dealer.pk).exists()
    assert key_account not in staff_list(user=manager)
    assert key_account not in complaint_handler_list(user=manager, dealer_id=dealer.pk)
