import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from api.keys import api_key_create
from api.models import Scope


@pytest.fixture
def make_key(roles):
    def make(*dealers, scopes=tuple(Scope.values), name="OEM CAC"):
        _key, plain = api_key_create(name=name, dealers=dealers, scopes=scopes, acting_user=None)
        return plain

    return make


@pytest.fixture
def api(make_key, dealer):
    """A client holding a key of `dealer` with every scope."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(dealer)}")
    return client


def client_with(plain: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client


@pytest.fixture
def managers(make_user, dealer):
    """The dealer's service and sales managers and a director: complaints and leads are routed to them."""
    return {
        role: make_user(role, dealer, username=f"{role}-gz", email=f"{role}@gz01.example")
        for role in ("service_manager", "sales_manager", "director")
    }


__all__ = ["client_with", "Group"]
