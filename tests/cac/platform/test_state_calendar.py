"""China's official calendar in the business calendar: loaded from chinesecalendar, National Day week closed, the
make-up Saturday (调休) open, the dealer's own days over both, and the administrators warned about a year the library
does not know yet. 2026: National Day 1-7 October (Thursday to Wednesday), make-up working days Sunday 20 September
and Saturday 10 October."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.core.management import CommandError, call_command

from cac.models import DealerHoliday, Notification, StateCalendarDay
from cac.platform.business_time import BusinessCalendar
from cac.platform.state_calendar import StateCalendarUnknown, state_calendar_load, state_calendar_prepare
from complaints.deadlines import deadlines_for
from complaints.models import Channel, ComplaintSLA, Severity
from tests.cac.factories import DealerFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
UNKNOWN_YEAR = max(chinese_calendar.constants.holidays).year + 1


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def state_2026():
    state_calendar_load(year=2026)


@pytest.fixture
def weekday_dealer():
    return DealerFactory(code="BJ09", works_on_weekends=False, opens_at=time(8, 30), closes_at=time(18, 0))


def test_a_year_holds_its_holidays_and_make_up_days(state_2026):
    days = {row.date: row for row in StateCalendarDay.objects.filter(date__year=2026)}
    national_day = [date(2026, 10, n) for n in range(1, 8)]
    assert all(not days[day].is_workday and days[day].name == "国庆节" for day in national_day)
    assert days[date(2026, 10, 10)].is_workday and days[date(2026, 9, 20)].is_workday
    assert date(2026, 10, 17) not in days  # a plain Saturday is the week's business, not the state's
    assert state_calendar_load(year=2026) == len(days)  # loaded again: replaced, not doubled
    assert StateCalendarDay.objects.filter(date__year=2026).count() == len(days)


def test_national_day_week_closes_and_the_make_up_saturday_opens(state_2026, weekday_dealer):
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    assert not any(calendar.is_working_day(date(2026, 10, n)) for n in range(1, 8))
    assert calendar.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert calendar.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert not calendar.is_working_day(date(2026, 10, 11))
    # A dealer open at weekends still closes for the state holiday.
    weekends = BusinessCalendar.for_dealer(DealerFactory(code="BJ10", works_on_weekends=True))
    assert not weekends.is_working_day(date(2026, 10, 3))
    assert weekends.is_working_day(date(2026, 10, 17))


def test_resolve_deadline_across_national_day_counts_the_make_up_saturday(state_2026, weekday_dealer):
    ComplaintSLA.objects.all().delete()
    ComplaintSLA.objects.create(
        channel="", severity="", acknowledge_rule=ComplaintSLA.AcknowledgeRule.WORKING_HOURS, acknowledge_hours=4,
        resolve_days=3,
    )  # fmt: skip
    acknowledge, resolve = deadlines_for(
        dealer=weekday_dealer, channel=Channel.DEALER_HOTLINE, severity=Severity.NORMAL, received_at=at(9, 30, 16)
    )
    assert acknowledge == at(10, 8, 10, 30)  # 2 hours on 30 September, 2 after the holiday
    assert resolve == at(10, 10, 18)  # 8, 9 and the make-up Saturday 10 October


def test_an_acknowledgment_set_on_a_saturday_evening_lands_on_the_next_working_morning(state_2026, weekday_dealer):
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    assert calendar.add_working_hours(at(10, 17, 20), 2) == at(10, 19, 10, 30)  # plain Saturday → Monday
    assert calendar.add_working_hours(at(10, 10, 20), 2) == at(10, 12, 10, 30)  # make-up Saturday after closing
    assert calendar.add_working_hours(at(10, 10, 17), 2) == at(10, 12, 9, 30)  # its last hour counts
    assert calendar.end_of_business_day(at(10, 3, 20)) == at(10, 8, 18)


def test_the_dealer_s_own_day_overrides_the_state(state_2026, weekday_dealer):
    DealerHoliday.objects.create(dealer=weekday_dealer, date=date(2026, 10, 2), name="国庆值班", is_open=True)
    DealerHoliday.objects.create(dealer=weekday_dealer, date=date(2026, 10, 10), name="店休")
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    assert calendar.is_working_day(date(2026, 10, 2))
    assert not calendar.is_working_day(date(2026, 10, 10))
    assert calendar.add_working_days(at(10, 1, 10), 1) == at(10, 2, 18)


def test_counting_a_year_of_days_reads_the_calendar_once(state_2026, weekday_dealer, django_assert_num_queries):
    with django_assert_num_queries(2):  # the dealer's days, then the state's on first use
        calendar = BusinessCalendar.for_dealer(weekday_dealer)
        calendar.add_working_days(at(1, 5, 10), 240)


def test_a_year_the_library_does_not_know(weekday_dealer, make_user):
    with pytest.raises(StateCalendarUnknown):
        state_calendar_load(year=UNKNOWN_YEAR)
    with pytest.raises(CommandError, match="does not know"):
        call_command("load_state_calendar", year=[UNKNOWN_YEAR])
    # The plain week meanwhile: weekends off.
    calendar = BusinessCalendar.for_dealer(weekday_dealer)
    assert calendar.is_working_day(date(UNKNOWN_YEAR, 10, 1)) == (date(UNKNOWN_YEAR, 10, 1).weekday() < 5)


def test_december_loads_what_is_known_and_warns_the_administrators_once_a_week(make_user, weekday_dealer):
    admin = make_user("admin", weekday_dealer, username="cal-admin", email="admin@example.com")
    agent = make_user("agent", weekday_dealer, username="cal-agent")
    december = date(UNKNOWN_YEAR - 1, 12, 2)
    with time_machine.travel(datetime.combine(december, time(7, 15), tzinfo=SHANGHAI)):
        assert state_calendar_prepare(today=december) == {UNKNOWN_YEAR - 1: "loaded", UNKNOWN_YEAR: "unknown"}
        assert state_calendar_prepare(today=december) == {UNKNOWN_YEAR - 1: "kept", UNKNOWN_YEAR: "unknown"}
    warnings = Notification.objects.filter(kind="state_calendar_unknown")
    assert [n.recipient for n in warnings] == [admin]
    assert str(UNKNOWN_YEAR) in warnings.get().title
    assert not Notification.objects.filter(recipient=agent).exists()
    state_calendar_prepare(today=date(UNKNOWN_YEAR - 1, 12, 9))  # a week later: said again
    assert Notification.objects.filter(kind="state_calendar_unknown").count() == 2


def test_before_december_a_missing_next_year_is_not_yet_a_warning(make_user, weekday_dealer):
    make_user("admin", weekday_dealer, username="cal-admin")
    assert state_calendar_prepare(today=date(UNKNOWN_YEAR - 1, 6, 1))[UNKNOWN_YEAR] == "unknown"
    assert not Notification.objects.exists()


def test_the_command_without_a_year_prepares_this_year_and_the_next(capsys):
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)):
        call_command("load_state_calendar")
    assert StateCalendarDay.objects.filter(date__year=2026).exists()
    assert "2026: loaded" in capsys.readouterr().out
