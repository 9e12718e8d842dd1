from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.prospects.factories import ProspectFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def sales_manager(make_user, dealer):
    return make_user("sales_manager", dealer, username="zhang.manager")


@pytest.fixture
def prospect(dealer, agent):
    return ProspectFactory(dealer=dealer, owner=agent, name="赵磊", phone="13700137000")
