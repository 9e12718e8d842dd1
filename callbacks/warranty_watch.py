"""三包 watch: China's passenger-car 三包 rules (2022) let the owner demand a replacement or a refund when, within the
warranty, cumulative repair time exceeds 30 days, the same fault is repaired more than 4 times, or a serious safety
fault is repaired twice and still not fixed. The watch warns before a vehicle gets there.

Figures come from warranty repairs (ServiceVisit.is_warranty) of vehicles still under warranty, counted by SQL
aggregates. A vehicle that crosses a warning threshold becomes a key-attention vehicle (重点关注车辆) and the dealer's
service managers get an e-mail, once per threshold: each warning is a row of the ledger `SanbaoWarning`, which
survives the entry being released or its reason being edited. The key-attention list is the complaints app's, reached
through the seams `key_attention_flag` and `key_attention_among`."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from cac.desk.selectors import dealer_ids, dealer_staff
from cac.models import Dealer, ServiceVisit, Vehicle
from cac.platform.queue import enqueue_on_commit
from cac.roles import SERVICE_MANAGER
from cac.seams import key_attention_among, key_attention_flag
from cac.texts import Text, text
from callbacks.models import SanbaoWarning

DAYS, SAME_FAULT, SAFETY = "days", "fault", "safety"


@dataclass(frozen=True)
class Thresholds:
    warn_days: int
    limit_days: int
    warn_same_fault: int
    limit_same_fault: int
    warn_safety: int
    limit_safety: int

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            warn_days=settings.CAC_SANBAO_WARN_DAYS,
            limit_days=settings.CAC_SANBAO_LIMIT_DAYS,
            warn_same_fault=settings.CAC_SANBAO_WARN_SAME_FAULT,
            limit_same_fault=settings.CAC_SANBAO_LIMIT_SAME_FAULT,
            warn_safety=settings.CAC_SANBAO_WARN_SAFETY,
            limit_safety=settings.CAC_SANBAO_LIMIT_SAFETY,
        )


@dataclass
class SanbaoFigures:
    """One vehicle's 三包 figures. `warnings` holds the thresholds reached: `days`, `fault:<code>`, `safety`."""

    vehicle: Vehicle
    workshop_days: int = 0
    same_fault: dict[str, int] = field(default_factory=dict)  # fault code → warranty repairs
    safety_repairs: int = 0
    warnings: list[str] = field(default_factory=list)
    over: list[str] = field(default_factory=list)  # thresholds past the legal limit
    key_attention: bool = False  # filled in by the selector of the 三包 page

    @property
    def top_fault(self) -> tuple[str, int]:
        if not self.same_fault:
            return "", 0
        code = max(self.same_fault, key=lambda c: (self.same_fault[c], c))
        return code, self.same_fault[code]

    @property
    def is_over(self) -> bool:
        return bool(self.over)


def sanbao_figures(
    *,
    dealer: Dealer | int | None = None,
    dealer_ids: Iterable[int] | None = None,
    today: date | None = None,
    vehicle_ids: list[int] | None = None,
) -> list[SanbaoFigures]:
    """The vehicles under warranty of one dealer (`dealer`) or of several at once (`dealer_ids`) that have reached at
    least one warning threshold, those past a limit first. Four queries whatever the number of dealers and visits."""
    if (dealer is None) == (dealer_ids is None):
        raise TypeError("sanbao_figures takes either dealer or dealer_ids.")
    today = today or timezone.localdate()
    limits = Thresholds.from_settings()
    repairs = ServiceVisit.objects.filter(is_warranty=True, vehicle__warranty_end__gte=today, date_in__lte=today)
    repairs = repairs.filter(dealer=dealer) if dealer is not None else repairs.filter(dealer_id__in=list(dealer_ids))
    if vehicle_ids is not None:
        repairs = repairs.filter(vehicle_id__in=vehicle_ids)
    found: dict[int, dict] = {}

    # ServiceVisit.workshop_days in SQL: the day in and the day out both count; a car still inside counts later.
    stay = ExpressionWrapper(F("date_out") - F("date_in"), output_field=DurationField())
    for row in (
        repairs.filter(date_out__isnull=False)
        .values("vehicle_id")
        .annotate(span=Sum(stay), visits=Count("id"))
        .order_by()
    ):
        days = _days(row["span"]) + row["visits"]
        if days >= limits.warn_days:
            found.setdefault(row["vehicle_id"], {})["days"] = days
    for row in (
        repairs.exclude(fault_code="")
        .values("vehicle_id", "fault_code")
        .annotate(repairs=Count("id"))
        .filter(repairs__gte=limits.warn_same_fault)
        .order_by()
    ):
        found.setdefault(row["vehicle_id"], {}).setdefault("faults", {})[row["fault_code"]] = row["repairs"]
    for row in (
        repairs.filter(is_safety_fault=True)
        .values("vehicle_id")
        .annotate(repairs=Count("id"))
        .filter(repairs__gte=limits.warn_safety)
        .order_by()
    ):
        found.setdefault(row["vehicle_id"], {})["safety"] = row["repairs"]
    if not found:
        return []
    vehicles = Vehicle.objects.select_related("customer", "dealer").in_bulk(list(found))
    result = []
    for vehicle_id, data in found.items():
        figures = SanbaoFigures(
            vehicle=vehicles[vehicle_id],
            workshop_days=data.get("days", 0),
            same_fault=data.get("faults", {}),
            safety_repairs=data.get("safety", 0),
        )
        if figures.workshop_days:
            figures.warnings.append(DAYS)
            if figures.workshop_days > limits.limit_days:
                figures.over.append(DAYS)
        for code, count in sorted(figures.same_fault.items()):
            figures.warnings.append(f"{SAME_FAULT}:{code}")
            if count > limits.limit_same_fault:
                figures.over.append(f"{SAME_FAULT}:{code}")
        if figures.safety_repairs:
            figures.warnings.append(SAFETY)
            if figures.safety_repairs > limits.limit_safety:
                figures.over.append(SAFETY)
        result.append(figures)
    result.sort(key=lambda f: (-len(f.over), -f.workshop_days, -f.top_fault[1], f.vehicle.vin))
    return result


def sanbao_watch_list(*, user, today: date | None = None) -> list[SanbaoFigures]:
    """The 三包 page: the vehicles of all the user's dealers near or over a threshold, those past a limit first, each
    marked when it is on the key-attention list. The same five queries for one dealer or fifty."""
    rows = sanbao_figures(dealer_ids=dealer_ids(user=user), today=today)
    if not rows:
        return rows
    on_list = key_attention_among(vehicle_ids=[row.vehicle.pk for row in rows])
    for row in rows:
        row.key_attention = row.vehicle.pk in on_list
    return rows


def _days(span) -> int:
    if span is None:
        return 0
    if isinstance(span, timedelta):
        return span.days
    return int(span)


def _token(warning: str) -> str:
    return f"[三包:{warning}]"


def _describe(figures: SanbaoFigures, warning: str, limits: Thresholds) -> Text:
    """The reason on the key-attention list, as data: each reader reads it in their language (cac.texts)."""
    if warning == DAYS:
        return text(
            gettext_noop("三包: %(days)s days in the workshop (limit %(limit)s)"),
            days=figures.workshop_days,
            limit=limits.limit_days,
        )
    if warning == SAFETY:
        return text(
            gettext_noop("三包: safety fault repaired %(count)s times (limit %(limit)s)"),
            count=figures.safety_repairs,
            limit=limits.limit_safety,
        )
    code = warning.split(":", 1)[1]
    return text(
        gettext_noop("三包: fault %(code)s repaired %(count)s times (limit %(limit)s)"),
        code=code,
        count=figures.same_fault[code],
        limit=limits.limit_same_fault,
    )


@transaction.atomic
def warranty_watch(
    *, dealer: Dealer | int, today: date | None = None, vehicle_ids: list[int] | None = None
) -> list[SanbaoFigures]:
    """Compute the figures and act on each threshold newly reached: the vehicle goes on the key-attention list
    (or its open entry gets the reason added) and the service managers are mailed after commit. Running it again
    changes nothing. Returns the figures of every vehicle at or over a warning threshold."""
    figures_list = sanbao_figures(dealer=dealer, today=today, vehicle_ids=vehicle_ids)
    if not figures_list:
        return figures_list
    limits = Thresholds.from_settings()
    ids = [f.vehicle.pk for f in figures_list]
    warned = set(SanbaoWarning.objects.filter(vehicle_id__in=ids).values_list("vehicle_id", "threshold"))
    for figures in figures_list:
        new = [w for w in figures.warnings if (figures.vehicle.pk, w) not in warned]
        if new:
            _flag(figures, new, limits)
    return figures_list


def _flag(figures: SanbaoFigures, warnings: list[str], limits: Thresholds) -> None:
    vehicle = figures.vehicle
    now = timezone.now()
    for warning in warnings:
        key_attention_flag(vehicle=vehicle, reason=_describe(figures, warning, limits), change_reason=_token(warning))
    SanbaoWarning.objects.bulk_create(
        [SanbaoWarning(vehicle=vehicle, threshold=warning, warned_at=now) for warning in warnings],
        ignore_conflicts=True,
    )
    enqueue_on_commit("callbacks.tasks.sanbao_notify_service_managers", vehicle_id=vehicle.pk, warnings=warnings)


def service_managers(*, dealer_id: int) -> list:
    """The dealer's service managers who have an e-mail address, whom the 三包 alert is mailed to."""
    return list(dealer_staff(dealer=dealer_id, role=SERVICE_MANAGER).exclude(email=""))
