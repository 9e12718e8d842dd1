"""CSV import of the DMS's deliveries and repair orders: good, bad and duplicate rows, the encodings Chinese Excel
writes, all-or-nothing or good rows only, and the same file twice."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from cac import roles
from cac.events.imports import DELIVERIES, REPAIR_ORDERS, ImportRefused, import_apply, import_check
from cac.models import Customer, Sale, ServiceVisit, Vehicle
from callbacks.models import Callback, Kind
from tests.cac.factories import CustomerFactory, VehicleFactory
from tests.callbacks.event_support import (
    DELIVERY_HEADER,
    REPAIR_HEADER,
    at_test_clock,
    csv_bytes,
    days_ago,
    delivery_row,
    repair_row,
)

pytestmark = pytest.mark.django_db


def _import(dealer, user, kind, content, **kwargs):
    return import_apply(
        dealer=dealer, kind=kind, content=content, acting_user=user, today=timezone.localdate(), **kwargs
    )


def _counts():
    return (Customer.objects.count(), Vehicle.objects.count(), Sale.objects.count(), ServiceVisit.objects.count())


def test_a_clean_delivery_file_creates_customers_vehicles_sales_and_their_calls(dealer, agent):
    content = csv_bytes(
        DELIVERY_HEADER,
        [delivery_row(1, mobile="+86 138-0013-8000"), delivery_row(2), delivery_row(3, plate="粤a·12345")],
    )
    result = _import(dealer, agent, DELIVERIES, content)
    assert (result.created, result.present, result.bad) == (3, 0, 0)
    customer = Customer.objects.get(mobile="13800138000")  # normalised
    assert customer.name == "客户1" and customer.dealer == dealer
    assert Vehicle.objects.get(plate="粤A12345").purchase_date == days_ago(1)
    assert Callback.objects.filter(kind=Kind.AFTER_SALE).count() == 3
    assert Sale.objects.first().history.first().history_user == agent


def test_importing_the_same_file_twice_creates_nothing_new(dealer, agent):
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1), delivery_row(2)])
    _import(dealer, agent, DELIVERIES, content)
    before = (*_counts(), Callback.objects.count())
    again = _import(dealer, agent, DELIVERIES, content)
    assert (again.created, again.present, again.bad) == (0, 2, 0)
    assert (*_counts(), Callback.objects.count()) == before


def test_an_existing_customer_and_vehicle_are_reused(dealer, agent):
    customer = CustomerFactory(dealer=dealer, mobile="13800138000", name="老客户")
    vehicle = VehicleFactory(customer=customer)
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1, mobile="13800138000", vin=vehicle.vin)])
    result = _import(dealer, agent, DELIVERIES, content)
    assert result.created == 1
    assert Customer.objects.count() == 1 and Vehicle.objects.count() == 1
    assert Sale.objects.get().vehicle == vehicle


BAD_ROWS = [
    ("mobile", "12345", "Mobile 12345"),
    ("vin", "LVGBE40K00000", "VIN LVGBE40K00000"),
    ("delivery_date", "20.11.2026", "not a date"),
    ("customer_name", "", "name is missing"),
]


def _file_with_bad_rows():
    rows = [delivery_row(1)]
    for serial, (column, value, _reason) in enumerate(BAD_ROWS, start=2):
        rows.append(delivery_row(serial, **{column: value}))
    rows.append(delivery_row(9))
    return csv_bytes(DELIVERY_HEADER, rows)


def test_a_file_with_bad_rows_writes_nothing_and_says_which_line_and_why(dealer, agent):
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        _import(dealer, agent, DELIVERIES, _file_with_bad_rows())
    check = refused.value.check
    assert check.bad == len(BAD_ROWS) and len(check.rows) == 2
    for line, (_column, _value, reason) in enumerate(BAD_ROWS, start=3):  # line 1 is the header
        assert any(error.line == line and reason in error.message for error in check.errors), line
    assert _counts() == (0, 0, 0, 0) and not Callback.objects.exists()


def test_the_reasons_are_in_the_users_language(dealer, agent):
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1, customer_name="")])
    with translation.override("en"):
        english = import_check(dealer=dealer, kind=DELIVERIES, content=content, acting_user=agent, today=days_ago(0))
    with translation.override("zh-hans"):
        chinese = import_check(dealer=dealer, kind=DELIVERIES, content=content, acting_user=agent, today=days_ago(0))
    assert english.errors[0].message == "The customer's name is missing."
    assert english.errors[0].line == chinese.errors[0].line == 2


def test_the_user_may_import_the_good_rows_only(dealer, agent):
    result = _import(dealer, agent, DELIVERIES, _file_with_bad_rows(), good_rows_only=True)
    assert (result.created, result.present, result.bad) == (2, 0, len(BAD_ROWS))
    assert [error.line for error in result.errors] == [3, 4, 5, 6]
    assert Sale.objects.count() == 2
    again = _import(dealer, agent, DELIVERIES, _file_with_bad_rows(), good_rows_only=True)
    assert (again.created, again.present, again.bad) == (0, 2, len(BAD_ROWS))


def test_a_row_repeating_an_earlier_one_is_bad(dealer, agent):
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1), delivery_row(1)])
    with pytest.raises(ImportRefused) as refused, translation.override("en"):
        _import(dealer, agent, DELIVERIES, content)
    assert refused.value.check.errors[0].line == 3
    assert "line 2" in refused.value.check.errors[0].message


def test_a_vin_of_another_customer_is_a_bad_row(dealer, agent):
    vehicle = VehicleFactory(customer=CustomerFactory(dealer=dealer, mobile="13700137000"))
    content = csv_bytes(DELIVERY_HEADER, [delivery_row(1, mobile="13800138000", vin=vehicle.vin)])
    with pytest.raises(ImportRefused) as refused:
        _import(dealer, agent, DELIVERIES, content)
    assert refused.value.check.errors[0].line == 2 and vehicle.vin in refused.value.check.errors[0].message


def test_gb18030_with_chinese_headers_as_excel_saves_it(dealer, agent):
    header = ["交车日期", "客户姓名", "手机", "车架号", "车牌", "车型", "销售顾问"]
    content = csv_bytes(header, [delivery_row(1, customer_name="欧阳娜娜"), delivery_row(2)], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = _import(dealer, agent, DELIVERIES, content)
    assert result.created == 2
    assert Customer.objects.filter(name="欧阳娜娜").exists()
    assert Sale.objects.filter(consultant_name="陈静").count() == 2


def test_utf8_with_a_bom(dealer, agent):
    content = csv_bytes(REPAIR_HEADER, [repair_row(1)], bom=True)
    result = _import(dealer, agent, REPAIR_ORDERS, content)
    assert result.created == 1
    visit = ServiceVisit.objects.get()
    assert visit.order_number == "RO00001" and visit.mileage == 12000 and visit.fault_code == "BRK-1"
    assert not visit.is_warranty and not visit.is_safety_fault


def test_repair_orders_match_the_advisor_and_keep_the_call_from_them(dealer, agent, make_user):
    advisor = make_user(roles.AGENT, dealer, username="linhai", first_name="海", last_name="林")
    content = csv_bytes(
        REPAIR_HEADER,
        [repair_row(1, advisor="林海", warranty="是", rework="1", safety_fault="Y"), repair_row(2, advisor="外包顾问")],
    )
    result = _import(dealer, agent, REPAIR_ORDERS, content)
    assert result.created == 2
    first = ServiceVisit.objects.get(order_number="RO00001")
    assert first.advisor == advisor and first.is_warranty and first.is_rework and first.is_safety_fault
    callback = Callback.objects.get(service_visit=first)
    assert callback.excluded_agent == advisor and callback.agent == agent
    second = ServiceVisit.objects.get(order_number="RO00002")
    assert second.advisor is None and second.advisor_name == "外包顾问"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"date_out": lambda: days_ago(10).isoformat()}, "before date_in"),
        ({"mileage": "about 12k"}, "Mileage"),
        ({"warranty": "maybe"}, "warranty"),
        ({"order_number": ""}, "order number is missing"),
        ({"date_in": lambda: (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()}, "future"),
    ],
)
def test_bad_repair_order_rows(dealer, agent, overrides, reason):
    content = csv_bytes(REPAIR_HEADER, [repair_row(1), repair_row(2, **at_test_clock(overrides))])
    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        _import(dealer, agent, REPAIR_ORDERS, content)
    assert {error.line for error in refused.value.check.errors} == {3}
    assert any(reason in error.message for error in refused.value.check.errors)
    assert not ServiceVisit.objects.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"order_number,date_in\nRO1,2026-01-01\n", b"\xff\xfe\x00\x00garbage", csv_bytes(REPAIR_HEADER, [])],
)
def test_files_that_are_not_a_repair_order_export(dealer, agent, content):
    with pytest.raises(ImportRefused) as refused:
        _import(dealer, agent, REPAIR_ORDERS, content)
    assert refused.value.check.errors[0].line == 1


def test_staff_of_another_dealer_cannot_import(dealer, other_agent):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _import(dealer, other_agent, DELIVERIES, csv_bytes(DELIVERY_HEADER, [delivery_row(1)]))


def test_the_management_command(dealer, agent, tmp_path, capsys):
    path = tmp_path / "deliveries.csv"
    path.write_bytes(_file_with_bad_rows())
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_dms", str(path), "--dealer", "GZ01", "--kind", "deliveries")
    assert not Sale.objects.exists()
    call_command(
        "import_dms", str(path), "--dealer", "GZ01", "--kind", "deliveries", "--good-rows-only", "--user", "agent"
    )
    assert "created 2, already present 0, bad 4" in capsys.readouterr().out
    assert Sale.objects.first().history.first().history_user == agent
    call_command("import_dms", str(path), "--dealer", "GZ01", "--kind", "deliveries", "--good-rows-only")
    assert "created 0, already present 2, bad 4" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_dms", str(path), "--dealer", "NOPE", "--kind", "deliveries")
