"""The one rule for the time zone of a day or a call slot: the dealer's (Dealer.time_zone), never the browser's or
the server's. A figure over several dealers uses their zone when they share one (a dealer group in one country),
else the CAC's (settings.TIME_ZONE)."""

from zoneinfo import ZoneInfo

from django.conf import settings

from cac.models import Dealer


def dealer_zone(dealer: Dealer) -> ZoneInfo:
    return ZoneInfo(dealer.time_zone)


def dealers_zone(dealer_ids) -> ZoneInfo:
    """The zone of these dealers' days: theirs when they share one, else the CAC's. One query."""
    zones = set(Dealer.objects.filter(pk__in=list(dealer_ids)).values_list("time_zone", flat=True).distinct()[:2])
    return ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)
