"""The one rule for the time zone of a day or a call slot: the dealer's (Dealer.time_zone), never the browser's or
the server's. A figure over several dealers uses their zone when they share one (a dealer group in one country),
else the CAC's (settings.TIME_ZONE)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from cac.models import Dealer


def dealer_zone(dealer: Dealer) -> ZoneInfo:
    return ZoneInfo(dealer.time_zone)


def dealers_zone(dealer_ids) -> ZoneInfo:
    """The zone of these dealers' days: theirs when they share one, else the CAC's. One query."""
    zones = set(Dealer.objects.filter(pk__in=list(dealer_ids)).values_list("time_zone", flat=True).distinct()[:2])
    return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)


def month_bounds(month: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The calendar month of `month` (any day of it) as [start, end) aware datetimes in `zone` (the dealers', see
    `dealers_zone`), else the CAC's: the one definition of a month for the monthly report, the dashboard and the lists
    their figures link to."""
    tz = zone or ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def parse_month(value: str | None) -> date | None:
    """`2026-03` as the first of that month, or None for anything else (a list filter's `month`)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None
