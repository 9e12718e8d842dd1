"""The demo's administrator is the demo dealer's administrator: no superuser, no other dealer's data."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command

from cac.desk.selectors import customer_list, dealer_ids
from cac.models import User
from tests.cac.factories import CustomerFactory, DealerFactory


def test_the_demo_admin_is_no_superuser_and_sees_only_its_dealer(db, settings):
    settings.DEBUG = True
    second = DealerFactory(code="SZ02")
    theirs = CustomerFactory(dealer=second)
    # A demo database seeded before: its admin was a superuser, and is one no longer.
    User.objects.create_superuser("admin", "admin@demo.cac.local", "cac-demo-2026")
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        call_command("seed_demo", customers=3, stdout=StringIO())
    admin = User.objects.get(username="admin")
    assert not admin.is_superuser and admin.is_staff
    assert list(admin.groups.values_list("name", flat=True)) == ["admin"]
    assert [code for code in admin.dealers.values_list("code", flat=True)] == ["GZ01"]
    assert second.pk not in dealer_ids(user=admin)
    assert not customer_list(user=admin).filter(pk=theirs.pk).exists()
