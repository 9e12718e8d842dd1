"""The one business calendar: a dealer's opening hours, working days and holidays.

Deadlines of every workflow are computed here, in the dealer's time zone, and stored in UTC.

A day is a working day by the first of these that speaks of it: the dealer's own calendar (a day it closes, or opens
although the state or the weekend would close it), the state calendar (public holidays closed, make-up working days
of 调休 open, as loaded by `load_state_calendar`), the week (weekends closed unless the dealer works on them). The
calendar reads the dealer's days and the state's days once each, when first needed: counting days never queries
per day."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from cac.models import Dealer, StateCalendarDay

MAX_DAYS_SCANNED = 366


def day_closing(day: date, closes_at: time, zone: ZoneInfo) -> datetime:
    """The end of a dealer's business day: its closing time on `day`, in its time zone. The one definition, used by
    the calendar's deadlines, the follow-up calls' due time and the care calls'."""
    return datetime.combine(day, closes_at, tzinfo=zone)


def dealer_day_closing(dealer: Dealer, day: date) -> datetime:
    """`day_closing` of `dealer` on `day`, without reading its holidays (the day is given, not counted)."""
    closes_at = Dealer._meta.get_field("closes_at").to_python(dealer.closes_at)
    return day_closing(day, closes_at, ZoneInfo(dealer.time_zone))


class StateDays(Mapping[date, bool]):
    """The state calendar's days apart from the plain week (date -> is a working day), read in one query on first
    use, so that a calendar built only for its time zone or hours costs nothing."""

    @cached_property
    def _days(self) -> dict[date, bool]:
        return dict(StateCalendarDay.objects.values_list("date", "is_workday"))

    def __getitem__(self, day: date) -> bool:
        return self._days[day]

    def __iter__(self) -> Iterator[date]:
        return iter(self._days)

    def __len__(self) -> int:
        return len(self._days)


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    opens_at: time
    closes_at: time
    works_on_weekends: bool
    holidays: frozenset[date]
    open_days: frozenset[date] = frozenset()
    state_days: Mapping[date, bool] = field(default_factory=dict, compare=False)

    @classmethod
    def for_dealer(cls, dealer: Dealer) -> "BusinessCalendar":
        # A dealer not yet read back from the database still holds the field defaults as text ("08:30").
        hours = Dealer._meta.get_field("opens_at")
        own_days = list(dealer.holidays.values_list("date", "is_open")) if dealer.pk else []
        return cls(
            zone=ZoneInfo(dealer.time_zone),
            opens_at=hours.to_python(dealer.opens_at),
            closes_at=hours.to_python(dealer.closes_at),
            works_on_weekends=dealer.works_on_weekends,
            holidays=frozenset(day for day, is_open in own_days if not is_open),
            open_days=frozenset(day for day, is_open in own_days if is_open),
            state_days=StateDays(),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.open_days:
            return True
        state = self.state_days.get(day)
        if state is not None:
            return state
        return self.works_on_weekends or day.weekday() < 5

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.opens_at, tzinfo=self.zone)

    def closing(self, day: date) -> datetime:
        return day_closing(day, self.closes_at, self.zone)

    def next_working_day(self, day: date) -> date:
        for _ in range(MAX_DAYS_SCANNED):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ValueError("No working day within a year: check the dealer's holidays.")

    def end_of_business_day(self, moment: datetime) -> datetime:
        """Closing time of the day `moment` falls in; after closing or on a day off, of the next working day."""
        local = moment.astimezone(self.zone)
        day = local.date()
        if self.is_working_day(day) and local < self.closing(day):
            return self.closing(day)
        return self.closing(self.next_working_day(day))

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """`hours` of opening time after `moment`; time outside opening hours does not count."""
        remaining = timedelta(hours=float(hours))
        local = moment.astimezone(self.zone)
        day = local.date()
        cursor = local
        if not self.is_working_day(day) or local >= self.closing(day):
            day = self.next_working_day(day)
            cursor = self._opening(day)
        elif local < self._opening(day):
            cursor = self._opening(day)
        for _ in range(MAX_DAYS_SCANNED):
            available = self.closing(day) - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            day = self.next_working_day(day)
            cursor = self._opening(day)
        raise ValueError("Deadline more than a year away.")

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """Closing time of the `days`-th working day after the day of `moment`."""
        day = moment.astimezone(self.zone).date()
        for _ in range(days):
            day = self.next_working_day(day)
        return self.closing(day)
