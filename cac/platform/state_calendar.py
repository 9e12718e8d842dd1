"""China's official calendar in the business calendar: the public holidays and the make-up working days (调休) of a
year, taken from the chinesecalendar library (which the State Council's notice of each December updates) and kept
in StateCalendarDay, where cac.platform.business_time reads them.

A year is loaded once the library knows it; loading it again replaces its rows (a corrected library release). In
December the beat loads the next year; while the library does not know it yet, the administrators are told, once a
week, that deadlines of that year would count only weekends as days off."""

import logging
from datetime import date, timedelta

import chinese_calendar
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_noop

from cac import roles
from cac.deadlines.notifications import notify
from cac.models import StateCalendarDay, User
from cac.texts import text

logger = logging.getLogger(__name__)


class StateCalendarUnknown(Exception):
    """The chinesecalendar library has no official calendar for the year yet."""


def state_calendar_days(*, year: int) -> list[StateCalendarDay]:
    """The year's days apart from the plain week, from the library: every day of a public holiday (its weekend
    days too) and every working Saturday or Sunday. Raises StateCalendarUnknown for a year the library lacks."""
    day, days = date(year, 1, 1), []
    try:
        while day.year == year:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            if (is_holiday and name) or (not is_holiday and weekend):
                days.append(StateCalendarDay(date=day, is_workday=not is_holiday, name=_holiday_name(name)))
            day += timedelta(days=1)
    except NotImplementedError as exc:
        raise StateCalendarUnknown(year) from exc
    return days


def _holiday_name(name: str | None) -> str:
    try:
        return chinese_calendar.Holiday(name).chinese if name else ""
    except ValueError:
        return name or ""


@transaction.atomic
def state_calendar_load(*, year: int) -> int:
    """Replace the year's state calendar days with the library's. Returns the number of days kept."""
    days = state_calendar_days(year=year)
    StateCalendarDay.objects.filter(date__year=year).delete()
    StateCalendarDay.objects.bulk_create(days)
    logger.info("State calendar %s loaded: %s days apart from the plain week", year, len(days))
    return len(days)


def state_calendar_loaded(*, year: int) -> bool:
    return StateCalendarDay.objects.filter(date__year=year).exists()


def state_calendar_prepare(*, today: date) -> dict[int, str]:
    """Load this year and the next when the library knows them and they are not loaded yet; warn the administrators
    about a missing next year from December on. Returns {year: "loaded" | "kept" | "unknown"}."""
    outcome = {}
    for year in (today.year, today.year + 1):
        if state_calendar_loaded(year=year):
            outcome[year] = "kept"
            continue
        try:
            state_calendar_load(year=year)
        except StateCalendarUnknown:
            outcome[year] = "unknown"
            if year == today.year or today.month == 12:
                _warn_administrators(year=year, today=today)
        else:
            outcome[year] = "loaded"
    return outcome


def _warn_administrators(*, year: int, today: date) -> None:
    week = today.isocalendar()
    admins = User.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(groups__name=roles.ADMIN)).distinct()
    title = text(gettext_noop("The official calendar of %(year)s is not known yet"), year=year)
    body = text(
        gettext_noop(
            "The chinesecalendar library installed does not have the public holidays and make-up working days of "
            "%(year)s. Until it is updated (pip install of its new release) and `python manage.py "
            "load_state_calendar --year %(year)s` is run, deadlines in %(year)s count only weekends as days off; "
            "a dealer can mark its own days in the admin meanwhile."
        ),
        year=year,
    )
    for admin in admins:
        notify(
            recipient=admin,
            key=f"state-calendar-unknown:{year}:{week.year}-W{week.week}:{admin.pk}",
            kind="state_calendar_unknown",
            title=title,
            body=body,
            url="/admin/cac/statecalendarday/",
        )
    logger.warning("State calendar %s unknown to chinesecalendar %s", year, chinese_calendar.__version__)
