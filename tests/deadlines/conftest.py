"""Fixtures of the deadline engine tests: a dealer's staff by role, a weekday-only dealer, rows due at chosen times."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cac import roles

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A week in March 2025: Monday the 10th ... Friday the 14th, Saturday the 15th, Sunday the 16th, Monday the 17th.


def local(*args) -> datetime:
    """A moment in the dealer's time zone: local(2025, 3, 14, 17, 0)."""
    return datetime(*args, tzinfo=SHANGHAI)


def at(*args):
    """Travel to a local moment, the clock standing still."""
    return time_machine.travel(local(*args), tick=False)


@pytest.fixture
def weekday_dealer(dealer):
    """Open Monday to Friday, 08:30-18:00 (the default dealer works weekends)."""
    dealer.works_on_weekends = False
    dealer.save(update_fields=["works_on_weekends"])
    return dealer


@pytest.fixture
def service_manager(make_user, dealer):
    return make_user(roles.SERVICE_MANAGER, dealer, username="service-manager", email="service@example.com")


@pytest.fixture
def sales_manager(make_user, dealer):
    return make_user(roles.SALES_MANAGER, dealer, username="sales-manager")


@pytest.fixture
def director(make_user, dealer):
    return make_user(roles.DIRECTOR, dealer, username="director")


@pytest.fixture
def staff(service_manager, sales_manager, director):
    return {"service_manager": service_manager, "sales_manager": sales_manager, "director": director}
