"""CSV import of the day's deliveries and repair orders from the dealer's DMS (columns: README.md, "Importing
deliveries and repair orders (CSV)").

`import_check` parses and validates a file without writing anything: each bad row is reported with its line number
and the reason, in the user's language. `import_apply` writes it: all or nothing, unless the user chose to import
the good rows only. Rows already imported (same vehicle delivered, same repair order number) are counted as already
present and change nothing, so the same file imported twice creates nothing new."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cac.desk.phones import normalize_mobile
from cac.desk.selectors import dealer_ids
from cac.desk.vin import normalize_vin
from cac.events.services import sale_record, service_visit_record
from cac.models import Customer, Dealer, Sale, ServiceVisit, User, Vehicle

DELIVERIES = "deliveries"
REPAIR_ORDERS = "repair_orders"
KINDS = {DELIVERIES: gettext_lazy("Deliveries (交车)"), REPAIR_ORDERS: gettext_lazy("Repair orders (维修工单)")}
PERMISSIONS = {DELIVERIES: "cac.add_sale", REPAIR_ORDERS: "cac.add_servicevisit"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# Column → the Chinese headers DMS exports use for it. Headers are matched without case and spaces.
COLUMNS = {
    DELIVERIES: {
        "delivery_date": ("交车日期", "交付日期"),
        "customer_name": ("客户姓名", "客户名称", "车主"),
        "mobile": ("手机", "手机号", "联系电话"),
        "vin": ("车架号", "vin码"),
        "plate": ("车牌", "车牌号"),
        "model": ("车型",),
        "consultant": ("销售顾问",),
    },
    REPAIR_ORDERS: {
        "order_number": ("工单号", "维修工单号"),
        "date_in": ("进厂日期", "入厂日期"),
        "date_out": ("出厂日期", "交车日期"),
        "mobile": ("手机", "手机号", "联系电话"),
        "customer_name": ("客户姓名", "客户名称", "车主"),
        "vin": ("车架号", "vin码"),
        "plate": ("车牌", "车牌号"),
        "model": ("车型",),
        "mileage": ("里程", "进厂里程"),
        "advisor": ("服务顾问",),
        "fault": ("故障描述", "故障"),
        "fault_code": ("故障代码",),
        "work_done": ("维修项目", "维修内容"),
        "warranty": ("索赔", "保修"),
        "rework": ("返修",),
        "safety_fault": ("安全故障",),
    },
}
REQUIRED = {
    DELIVERIES: ("delivery_date", "customer_name", "mobile", "vin", "model"),
    REPAIR_ORDERS: ("order_number", "date_in", "date_out", "mobile", "customer_name", "vin", "model"),
}
_TRUE = {"1", "y", "yes", "true", "t", "x", "是", "√"}
_FALSE = {"", "0", "n", "no", "false", "f", "否"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportCheck:
    """What a file would do: the good rows (line, cleaned data), the rows already present and the bad rows."""

    kind: str
    rows: list[tuple[int, dict]] = field(default_factory=list)
    present: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def bad(self) -> int:
        return len({error.line for error in self.errors})


@dataclass
class ImportResult:
    created: int = 0
    present: int = 0
    bad: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


class ImportRefused(Exception):
    """The file has errors and the user did not choose to import the good rows: nothing was written."""

    def __init__(self, check: ImportCheck):
        super().__init__(_("The file has %(count)s bad rows; nothing was imported.") % {"count": check.bad})
        self.check = check


def decode(content: bytes) -> str:
    """UTF-8 with or without a BOM, or GB18030 as Chinese Excel saves CSV."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030")


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", (header or "").strip().lower())


def _header_map(kind: str, header: list[str]) -> dict[str, int]:
    aliases = {}
    for column, names in COLUMNS[kind].items():
        for name in (column, *names):
            aliases[_key(name)] = column
    found = {}
    for index, name in enumerate(header):
        column = aliases.get(_key(name))
        if column and column not in found:
            found[column] = index
    return found


def _date(value: str) -> date:
    value = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    # Excel may append a time to a date column: "2026-11-20 00:00:00".
    head = value.split(" ")[0]
    if head != value:
        return _date(head)
    raise ValueError(value)


def _bool(value: str) -> bool:
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(value)


def _messages(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def _clean_common(raw: dict[str, str], errors: list[str]) -> dict:
    data = {"customer_name": raw.get("customer_name", "").strip()[:60], "model": raw.get("model", "").strip()[:60]}
    data["plate"] = re.sub(r"[\s·.-]", "", raw.get("plate", "")).upper()[:12]
    if not data["customer_name"]:
        errors.append(_("The customer's name is missing."))
    if not data["model"]:
        errors.append(_("The model is missing."))
    try:
        data["mobile"] = normalize_mobile(raw.get("mobile", ""))
    except ValidationError as exc:
        errors.append(_("Mobile %(value)s: %(reason)s") % {"value": raw.get("mobile", ""), "reason": _messages(exc)})
    try:
        data["vin"] = normalize_vin(raw.get("vin", ""))
    except ValidationError as exc:
        errors.append(_("VIN %(value)s: %(reason)s") % {"value": raw.get("vin", ""), "reason": _messages(exc)})
    return data


def _parse_date(raw: dict[str, str], column: str, label: str, errors: list[str], *, required: bool = True):
    value = raw.get(column, "").strip()
    if not value:
        if required:
            errors.append(_("%(column)s is missing.") % {"column": label})
        return None
    try:
        return _date(value)
    except ValueError:
        errors.append(
            _("%(column)s “%(value)s” is not a date (write it as 2026-11-20).") % {"column": label, "value": value}
        )
        return None


def _clean_delivery(raw: dict[str, str], errors: list[str], today: date) -> dict:
    data = _clean_common(raw, errors)
    data["delivered_on"] = _parse_date(raw, "delivery_date", "delivery_date", errors)
    if data["delivered_on"] and data["delivered_on"] > today:
        errors.append(_("The delivery date is in the future."))
    data["consultant"] = raw.get("consultant", "").strip()[:60]
    return data


def _clean_repair_order(raw: dict[str, str], errors: list[str], today: date) -> dict:
    data = _clean_common(raw, errors)
    data["order_number"] = raw.get("order_number", "").strip()
    if not data["order_number"]:
        errors.append(_("The repair order number is missing."))
    elif len(data["order_number"]) > 30:
        errors.append(_("The repair order number is longer than 30 characters."))
    data["date_in"] = _parse_date(raw, "date_in", "date_in", errors)
    data["date_out"] = _parse_date(raw, "date_out", "date_out", errors)
    if data["date_in"] and data["date_out"] and data["date_out"] < data["date_in"]:
        errors.append(_("date_out is before date_in."))
    if (data["date_in"] and data["date_in"] > today) or (data["date_out"] and data["date_out"] > today):
        errors.append(_("A date of the repair order is in the future."))
    mileage = raw.get("mileage", "").strip().replace(",", "")
    data["mileage"] = None
    if mileage:
        data["mileage"] = int(float(mileage)) if re.fullmatch(r"\d{1,9}(\.\d+)?", mileage) else None
        if data["mileage"] is None or data["mileage"] > 2_000_000:
            errors.append(_("Mileage “%(value)s” is not a number of km.") % {"value": mileage})
    data["advisor"] = raw.get("advisor", "").strip()[:60]
    data["fault"] = raw.get("fault", "").strip()[:300]
    data["fault_code"] = raw.get("fault_code", "").strip().upper()[:40]
    data["work_done"] = raw.get("work_done", "").strip()[:3000]
    for column, target in (("warranty", "is_warranty"), ("rework", "is_rework"), ("safety_fault", "is_safety_fault")):
        try:
            data[target] = _bool(raw.get(column, ""))
        except ValueError:
            errors.append(
                _("%(column)s “%(value)s” must be yes or no (1/0, Y/N, 是/否).")
                % {"column": column, "value": raw.get(column, "")}
            )
    return data


def parse(*, kind: str, content: bytes, today: date) -> ImportCheck:
    """Read a file of `kind` (deliveries / repair_orders): header row, one event a row. Format only, no database."""
    check = ImportCheck(kind=kind)
    try:
        text = decode(content)
    except UnicodeDecodeError:
        check.errors.append(RowError(1, _("The file is neither UTF-8 nor GB18030 text.")))
        return check
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        check.errors.append(RowError(1, _("The file is not a CSV file: %(error)s") % {"error": exc}))
        return check
    if not header:
        check.errors.append(RowError(1, _("The file is empty.")))
        return check
    columns = _header_map(kind, header)
    missing = [column for column in REQUIRED[kind] if column not in columns]
    if missing:
        check.errors.append(
            RowError(1, _("Missing columns in the header row: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return check
    clean = _clean_delivery if kind == DELIVERIES else _clean_repair_order
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(check.rows) + len(check.errors) >= MAX_ROWS:
                check.errors.append(RowError(line, _("More than %(max)s rows: split the file.") % {"max": MAX_ROWS}))
                break
            raw = {column: (row[index] if index < len(row) else "") for column, index in columns.items()}
            problems: list[str] = []
            data = clean(raw, problems, today)
            natural_key = data.get("vin") if kind == DELIVERIES else data.get("order_number")
            if natural_key and not problems:
                if natural_key in seen:
                    problems.append(_("Repeats line %(line)s.") % {"line": seen[natural_key]})
                else:
                    seen[natural_key] = line
            if problems:
                check.errors.extend(RowError(line, problem) for problem in problems)
            else:
                check.rows.append((line, data))
    except csv.Error as exc:
        check.errors.append(RowError(reader.line_num, _("The file is not a CSV file: %(error)s") % {"error": exc}))
    if not check.rows and not check.errors:
        check.errors.append(RowError(1, _("The file has a header row but no data.")))
    return check


def _staff_by_name(dealer: Dealer) -> dict[str, User]:
    """The dealer's staff by the names a DMS prints (full name or user name): the repair's advisor is matched to
    a user, so that the follow-up call is not assigned to them."""
    names: dict[str, User] = {}
    for user in User.objects.filter(dealers=dealer, is_active=True).order_by("pk"):
        for name in (user.get_full_name(), user.username):
            if name:
                names.setdefault(name.replace(" ", ""), user)
    return names


def _against_database(check: ImportCheck, *, dealer: Dealer) -> None:
    """Rows already imported count as present; rows that contradict what the dealer has are bad rows."""
    vins = {data["vin"] for _line, data in check.rows}
    vehicles = {v.vin: v for v in Vehicle.objects.filter(dealer=dealer, vin__in=vins).select_related("customer")}
    if check.kind == DELIVERIES:
        done = set(Sale.objects.filter(dealer=dealer, vehicle__vin__in=vins).values_list("vehicle__vin", flat=True))
    else:
        numbers = {data["order_number"] for _line, data in check.rows}
        done = set(
            ServiceVisit.objects.filter(dealer=dealer, order_number__in=numbers).values_list("order_number", flat=True)
        )
    good = []
    for line, data in check.rows:
        if (data["vin"] if check.kind == DELIVERIES else data["order_number"]) in done:
            check.present += 1
            continue
        vehicle = vehicles.get(data["vin"])
        if vehicle is not None and vehicle.customer.mobile != data["mobile"]:
            check.errors.append(
                RowError(
                    line,
                    _("VIN %(vin)s belongs to another customer (%(name)s, %(mobile)s).")
                    % {"vin": data["vin"], "name": vehicle.customer.name, "mobile": vehicle.customer.mobile_display},
                )
            )
            continue
        good.append((line, data))
    check.rows = good
    check.errors.sort(key=lambda error: error.line)


def import_check(*, dealer: Dealer, kind: str, content: bytes, acting_user: User | None, today: date) -> ImportCheck:
    """Validate a file against its format and the dealer's data. Writes nothing."""
    authorize(dealer=dealer, kind=kind, acting_user=acting_user)
    check = parse(kind=kind, content=content, today=today)
    _against_database(check, dealer=dealer)
    return check


def authorize(*, dealer: Dealer, kind: str, acting_user: User | None) -> None:
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose deliveries or repair orders.")})
    if acting_user is None:
        return  # the import_dms command run without --user: a trusted system import
    if dealer.pk not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))
    if not acting_user.has_perm(PERMISSIONS[kind]):
        raise PermissionDenied(_("Your role cannot import this file."))


def _customer(dealer: Dealer, data: dict, acting_user: User | None, owner: User | None) -> Customer:
    customer = Customer.objects.filter(dealer=dealer, mobile=data["mobile"]).first()
    if customer is not None:
        return customer
    customer = Customer(dealer=dealer, name=data["customer_name"], mobile=data["mobile"], owner=owner or acting_user)
    customer._history_user = acting_user
    customer._change_reason = "imported from the DMS"
    customer.save()
    return customer


def _vehicle(dealer: Dealer, customer: Customer, data: dict, acting_user: User | None) -> Vehicle:
    vehicle = Vehicle.objects.filter(dealer=dealer, vin=data["vin"]).first()
    if vehicle is not None:
        if vehicle.customer_id != customer.pk:
            raise ValidationError(_("VIN %(vin)s belongs to another customer.") % {"vin": data["vin"]})
        return vehicle
    vehicle = Vehicle(dealer=dealer, customer=customer, vin=data["vin"], plate=data["plate"], model=data["model"])
    if data.get("delivered_on"):
        vehicle.purchase_date = data["delivered_on"]
    if data.get("mileage") is not None:
        vehicle.mileage = data["mileage"]
    vehicle._history_user = acting_user
    vehicle._change_reason = "imported from the DMS"
    vehicle.save()
    return vehicle


def _write_row(dealer: Dealer, kind: str, data: dict, acting_user: User | None, staff: dict[str, User]) -> bool:
    if kind == DELIVERIES:
        consultant = staff.get(data["consultant"].replace(" ", ""))
        customer = _customer(dealer, data, acting_user, owner=consultant)
        vehicle = _vehicle(dealer, customer, data, acting_user)
        _sale, created = sale_record(
            dealer=dealer,
            customer=customer,
            vehicle=vehicle,
            delivered_on=data["delivered_on"],
            consultant=consultant,
            consultant_name=data["consultant"],
            acting_user=acting_user,
        )
        return created
    customer = _customer(dealer, data, acting_user, owner=None)
    vehicle = _vehicle(dealer, customer, data, acting_user)
    _visit, created = service_visit_record(
        dealer=dealer,
        order_number=data["order_number"],
        customer=customer,
        vehicle=vehicle,
        date_in=data["date_in"],
        date_out=data["date_out"],
        mileage=data["mileage"],
        advisor=staff.get(data["advisor"].replace(" ", "")),
        advisor_name=data["advisor"],
        fault=data["fault"],
        fault_code=data["fault_code"],
        work_done=data["work_done"],
        is_warranty=data["is_warranty"],
        is_rework=data["is_rework"],
        is_safety_fault=data["is_safety_fault"],
        acting_user=acting_user,
    )
    return created


def import_apply(
    *,
    dealer: Dealer,
    kind: str,
    content: bytes,
    acting_user: User | None,
    today: date,
    good_rows_only: bool = False,
) -> ImportResult:
    """Import a file. Unknown customers are created (mobile normalised), unknown vehicles too (VIN validated); each
    event schedules its follow-up call. A file with bad rows raises ImportRefused and writes nothing, unless
    `good_rows_only`: then the good rows are written and the bad ones reported."""
    with transaction.atomic():
        check = import_check(dealer=dealer, kind=kind, content=content, acting_user=acting_user, today=today)
        if check.errors and not good_rows_only:
            raise ImportRefused(check)
        result = ImportResult(present=check.present, errors=list(check.errors))
        staff = _staff_by_name(dealer)
        for line, data in check.rows:
            try:
                with transaction.atomic():
                    created = _write_row(dealer, kind, data, acting_user, staff)
            except ValidationError as exc:
                # Found only while writing (another import got there first): a bad row like the others.
                result.errors.append(RowError(line, _messages(exc)))
                continue
            if created:
                result.created += 1
            else:
                result.present += 1
        if result.errors and not good_rows_only:
            check.errors = result.errors
            raise ImportRefused(check)
        result.errors.sort(key=lambda error: error.line)
        result.bad = len({error.line for error in result.errors})
        result.written = result.created > 0
    return result
