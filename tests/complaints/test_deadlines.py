"""The one deadline policy: the business calendar, the SLA row that applies, the deadlines and their state.

March 2026: the 9th is a Monday; the dealer opens 08:30–18:00 Asia/Shanghai."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cac.models import Dealer, DealerHoliday
from cac.platform.business_time import BusinessCalendar
from complaints.deadlines import FALLBACK, DeadlineState, deadline_state, deadlines_for, sla_for
from complaints.models import Category, Channel, Complaint, ComplaintSLA, Severity, Status
from complaints.selectors import complaint_filter_deadline, complaint_list
from complaints.services import complaint_create
from tests.cac.factories import CustomerFactory, DealerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of March 2026 in Shanghai."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


MON, TUE, WED, THU, FRI, SAT, SUN = 9, 10, 11, 12, 13, 14, 15


def calendar(*, weekends: bool = False, holidays: tuple[date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar(
        zone=SHANGHAI,
        opens_at=time(8, 30),
        closes_at=time(18, 0),
        works_on_weekends=weekends,
        holidays=frozenset(holidays),
    )


WEDNESDAY_HOLIDAY = (date(2026, 3, WED),)
NEXT_MONDAY_HOLIDAY = (date(2026, 3, 16),)


# --- The business calendar -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "weekends", "holidays", "expected"),
    [
        pytest.param(at(TUE, 10), False, (), at(TUE, 18), id="during-business-hours"),
        pytest.param(at(TUE, 7), False, (), at(TUE, 18), id="before-opening"),
        pytest.param(at(TUE, 18), False, (), at(WED, 18), id="at-closing"),
        pytest.param(at(TUE, 19), False, (), at(WED, 18), id="after-closing"),
        pytest.param(at(TUE, 23, 59), False, (), at(WED, 18), id="late-at-night"),
        pytest.param(at(FRI, 19), False, (), at(MON + 7, 18), id="friday-evening-closed-weekends"),
        pytest.param(at(SAT, 10), False, (), at(MON + 7, 18), id="saturday-closed-weekends"),
        pytest.param(at(SUN, 10), False, (), at(MON + 7, 18), id="sunday-closed-weekends"),
        pytest.param(at(SAT, 10), True, (), at(SAT, 18), id="saturday-open-weekends"),
        pytest.param(at(FRI, 19), True, (), at(SAT, 18), id="friday-evening-open-weekends"),
        pytest.param(at(TUE, 19), False, WEDNESDAY_HOLIDAY, at(THU, 18), id="after-closing-before-a-holiday"),
        pytest.param(at(WED, 10), False, WEDNESDAY_HOLIDAY, at(THU, 18), id="on-a-holiday"),
        pytest.param(at(FRI, 19), False, NEXT_MONDAY_HOLIDAY, at(TUE + 7, 18), id="weekend-then-holiday"),
        pytest.param(datetime(2026, 3, TUE, 2, 0, tzinfo=UTC), False, (), at(TUE, 18), id="given-in-utc"),
        pytest.param(
            datetime(2026, 3, TUE, 11, 0, tzinfo=UTC), False, (), at(WED, 18), id="utc-evening-is-after-closing"
        ),
    ],
)
def test_end_of_business_day(moment, weekends, holidays, expected):
    assert calendar(weekends=weekends, holidays=holidays).end_of_business_day(moment) == expected


@pytest.mark.parametrize(
    ("moment", "hours", "weekends", "holidays", "expected"),
    [
        pytest.param(at(TUE, 10), 4, False, (), at(TUE, 14), id="within-the-day"),
        pytest.param(at(TUE, 14), 4, False, (), at(TUE, 18), id="exactly-to-closing"),
        pytest.param(at(TUE, 16), 4, False, (), at(WED, 10, 30), id="across-closing"),
        pytest.param(at(TUE, 19), 4, False, (), at(WED, 12, 30), id="after-closing"),
        pytest.param(at(TUE, 7), 4, False, (), at(TUE, 12, 30), id="before-opening"),
        pytest.param(at(TUE, 10), 1.5, False, (), at(TUE, 11, 30), id="fractional-hours"),
        pytest.param(at(TUE, 10), Decimal("4.00"), False, (), at(TUE, 14), id="decimal-hours-from-the-policy"),
        pytest.param(at(TUE, 10), 20, False, (), at(THU, 11), id="more-than-a-working-day"),
        pytest.param(at(FRI, 16), 4, False, (), at(MON + 7, 10, 30), id="over-a-closed-weekend"),
        pytest.param(at(FRI, 16), 4, True, (), at(SAT, 10, 30), id="into-an-open-weekend"),
        pytest.param(at(SAT, 10), 4, False, (), at(MON + 7, 12, 30), id="arriving-on-a-closed-saturday"),
        pytest.param(at(TUE, 16), 4, False, WEDNESDAY_HOLIDAY, at(THU, 10, 30), id="over-a-holiday"),
        pytest.param(at(FRI, 16), 4, False, NEXT_MONDAY_HOLIDAY, at(TUE + 7, 10, 30), id="over-weekend-and-holiday"),
    ],
)
def test_add_working_hours(moment, hours, weekends, holidays, expected):
    assert calendar(weekends=weekends, holidays=holidays).add_working_hours(moment, hours) == expected


@pytest.mark.parametrize(
    ("moment", "days", "weekends", "holidays", "expected"),
    [
        pytest.param(at(TUE, 10), 3, False, (), at(FRI, 18), id="within-the-week"),
        pytest.param(at(TUE, 19), 3, False, (), at(FRI, 18), id="after-closing-still-three-full-days"),
        pytest.param(at(THU, 10), 3, False, (), at(TUE + 7, 18), id="over-a-closed-weekend"),
        pytest.param(at(THU, 10), 3, True, (), at(SUN, 18), id="open-weekends"),
        pytest.param(at(SAT, 10), 1, False, (), at(MON + 7, 18), id="from-a-closed-saturday"),
        pytest.param(at(TUE, 10), 3, False, WEDNESDAY_HOLIDAY, at(MON + 7, 18), id="over-a-holiday"),
        pytest.param(at(THU, 10), 3, False, NEXT_MONDAY_HOLIDAY, at(WED + 7, 18), id="over-weekend-and-holiday"),
        pytest.param(at(TUE, 10), 15, False, (), at(TUE + 21, 18), id="fifteen-working-days"),
    ],
)
def test_add_working_days(moment, days, weekends, holidays, expected):
    assert calendar(weekends=weekends, holidays=holidays).add_working_days(moment, days) == expected


@pytest.mark.django_db
def test_the_calendar_of_a_dealer_has_its_hours_weekends_and_holidays():
    dealer = DealerFactory(code="BJ03", opens_at=time(9, 0), closes_at=time(17, 30), works_on_weekends=False)
    DealerHoliday.objects.create(dealer=dealer, date=date(2026, 3, WED), name="店庆")
    DealerHoliday.objects.create(dealer=DealerFactory(code="SH04"), date=date(2026, 3, THU), name="别家假日")

    business = BusinessCalendar.for_dealer(dealer)

    assert business.holidays == frozenset({date(2026, 3, WED)})
    assert business.end_of_business_day(at(TUE, 18)) == at(THU, 17, 30)
    assert business.add_working_hours(at(FRI, 16), 4) == at(MON + 7, 11, 30)


@pytest.mark.django_db
def test_a_dealer_just_created_has_a_calendar_with_its_default_hours():
    dealer = Dealer.objects.create(code="NEW1", name="新店")  # its hours are still the text defaults

    business = BusinessCalendar.for_dealer(dealer)

    assert (business.opens_at, business.closes_at) == (time(8, 30), time(18, 0))
    assert business.end_of_business_day(at(TUE, 10)) == at(TUE, 18)


def test_a_calendar_without_working_days_says_so():
    closed = calendar(holidays=tuple(date(2026, 1, 1) + timedelta(days=n) for n in range(800)))
    with pytest.raises(ValueError, match="No working day"):
        closed.end_of_business_day(at(TUE, 10))


# --- Which policy row applies --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "severity", "rule", "hours", "days"),
    [
        pytest.param(Channel.DEALER_HOTLINE, Severity.NORMAL, "end_of_day", None, 3, id="any-channel"),
        pytest.param(Channel.OEM_HOTLINE, Severity.MAJOR, "end_of_day", None, 3, id="major-is-not-faster"),
        pytest.param(Channel.MEDIA, Severity.NORMAL, "working_hours", Decimal("4"), 3, id="media"),
        pytest.param(Channel.REGULATOR, Severity.NORMAL, "working_hours", Decimal("4"), 15, id="regulator"),
        pytest.param(Channel.WALK_IN, Severity.EMERGENCY, "clock_hours", Decimal("2"), 3, id="emergency"),
        pytest.param(Channel.MEDIA, Severity.EMERGENCY, "clock_hours", Decimal("2"), 3, id="media-emergency"),
        pytest.param(Channel.REGULATOR, Severity.EMERGENCY, "clock_hours", Decimal("2"), 15, id="regulator-emergency"),
    ],
)
def test_the_default_policy_of_the_migration(dealer, channel, severity, rule, hours, days):
    sla = sla_for(dealer=dealer, channel=channel, severity=severity)
    assert sla.dealer_id is None
    assert (sla.acknowledge_rule, sla.acknowledge_hours, sla.resolve_days) == (rule, hours, days)


@pytest.mark.django_db
def test_the_dealers_own_row_beats_the_default(dealer, other_dealer):
    own_any = ComplaintSLA.objects.create(dealer=dealer, acknowledge_rule="end_of_day", resolve_days=2)
    own_media = ComplaintSLA.objects.create(
        dealer=dealer, channel=Channel.MEDIA, acknowledge_rule="working_hours", acknowledge_hours=2, resolve_days=2
    )

    assert sla_for(dealer=dealer, channel=Channel.EMAIL, severity=Severity.NORMAL) == own_any
    assert sla_for(dealer=dealer, channel=Channel.MEDIA, severity=Severity.NORMAL) == own_media
    assert sla_for(dealer=other_dealer, channel=Channel.EMAIL, severity=Severity.NORMAL).dealer_id is None
    assert sla_for(dealer=other_dealer, channel=Channel.MEDIA, severity=Severity.NORMAL).dealer_id is None


@pytest.mark.django_db
def test_channel_and_severity_beat_channel_beats_any(dealer):
    ComplaintSLA.objects.all().delete()
    any_row = ComplaintSLA.objects.create(dealer=dealer, acknowledge_rule="end_of_day", resolve_days=5)
    channel_row = ComplaintSLA.objects.create(
        dealer=dealer, channel=Channel.LETTER, acknowledge_rule="end_of_day", resolve_days=4
    )
    both_row = ComplaintSLA.objects.create(
        dealer=dealer,
        channel=Channel.LETTER,
        severity=Severity.MAJOR,
        acknowledge_rule="working_hours",
        acknowledge_hours=1,
        resolve_days=2,
    )

    assert sla_for(dealer=dealer, channel=Channel.LETTER, severity=Severity.MAJOR) == both_row
    assert sla_for(dealer=dealer, channel=Channel.LETTER, severity=Severity.NORMAL) == channel_row
    assert sla_for(dealer=dealer, channel=Channel.EMAIL, severity=Severity.MAJOR) == any_row


@pytest.mark.django_db
def test_without_any_row_the_fallback_applies(dealer):
    ComplaintSLA.objects.all().delete()
    assert sla_for(dealer=dealer, channel=Channel.EMAIL, severity=Severity.NORMAL) is FALLBACK
    assert deadlines_for(dealer=dealer, channel=Channel.EMAIL, severity=Severity.NORMAL, received_at=at(TUE, 10)) == (
        at(TUE, 18),
        at(FRI, 18),
    )


# --- The deadlines of a complaint, with the migration's defaults -----------------------------------


@pytest.fixture
def weekday_dealer(db):
    """A dealer closed on weekends, with a holiday on Wednesday the 18th."""
    dealer = DealerFactory(code="GZ05", works_on_weekends=False)
    DealerHoliday.objects.create(dealer=dealer, date=date(2026, 3, WED + 7), name="店庆")
    return dealer


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "severity", "received", "acknowledge_by", "resolve_by"),
    [
        pytest.param(Channel.DEALER_HOTLINE, Severity.NORMAL, at(TUE, 10), at(TUE, 18), at(FRI, 18), id="normal"),
        pytest.param(
            Channel.DEALER_HOTLINE, Severity.NORMAL, at(TUE, 19), at(WED, 18), at(FRI, 18), id="normal-after-closing"
        ),
        pytest.param(
            Channel.WALK_IN, Severity.NORMAL, at(FRI, 19), at(MON + 7, 18), at(THU + 7, 18), id="normal-friday-evening"
        ),
        pytest.param(
            Channel.EMAIL,
            Severity.NORMAL,
            at(TUE + 7, 19),
            at(THU + 7, 18),
            at(MON + 14, 18),
            id="normal-before-holiday",
        ),
        pytest.param(Channel.MEDIA, Severity.NORMAL, at(TUE, 10), at(TUE, 14), at(FRI, 18), id="media"),
        pytest.param(
            Channel.MEDIA, Severity.NORMAL, at(FRI, 16), at(MON + 7, 10, 30), at(THU + 7, 18), id="media-friday"
        ),
        pytest.param(Channel.REGULATOR, Severity.NORMAL, at(MON, 10), at(MON, 14), at(TUE + 21, 18), id="regulator"),
        pytest.param(
            Channel.DEALER_HOTLINE,
            Severity.EMERGENCY,
            at(SAT, 23),
            at(SUN, 1),
            at(THU + 7, 18),
            id="emergency-at-night",
        ),
        pytest.param(
            Channel.REGULATOR, Severity.EMERGENCY, at(MON, 10), at(MON, 12), at(TUE + 21, 18), id="regulator-emergency"
        ),
    ],
)
def test_deadlines_for(weekday_dealer, channel, severity, received, acknowledge_by, resolve_by):
    assert deadlines_for(dealer=weekday_dealer, channel=channel, severity=severity, received_at=received) == (
        acknowledge_by,
        resolve_by,
    )


@pytest.mark.django_db
def test_the_resolution_deadline_is_never_before_the_acknowledgment(dealer):
    ComplaintSLA.objects.create(dealer=dealer, acknowledge_rule="working_hours", acknowledge_hours=30, resolve_days=1)
    acknowledge, resolve = deadlines_for(
        dealer=dealer, channel=Channel.EMAIL, severity=Severity.NORMAL, received_at=at(TUE, 10)
    )
    assert acknowledge == at(FRI, 11, 30)
    assert resolve == acknowledge


@pytest.mark.django_db
def test_a_complaint_stores_its_deadlines_in_utc(weekday_dealer, make_user):
    agent = make_user("agent", weekday_dealer)
    customer = CustomerFactory(dealer=weekday_dealer)
    with time_machine.travel(at(TUE, 16), tick=False):
        complaint = complaint_create(
            customer=customer,
            acting_user=agent,
            channel=Channel.MEDIA,
            category=Category.SERVICE_ATTITUDE,
            description="记者来电",
        )

    stored = Complaint.objects.values("received_at", "acknowledge_due_at", "resolve_due_at").get(pk=complaint.pk)
    assert stored == {
        "received_at": at(TUE, 16),
        "acknowledge_due_at": at(WED, 10, 30),
        "resolve_due_at": at(FRI, 18),
    }
    assert stored["acknowledge_due_at"].utcoffset() == timedelta(0)
    assert stored["acknowledge_due_at"].replace(tzinfo=None) == datetime(2026, 3, WED, 2, 30)


# --- The state of a deadline ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "due_in", "expected"),
    [
        pytest.param(Status.NEW, timedelta(hours=3), DeadlineState.ON_TIME, id="new-on-time"),
        pytest.param(Status.NEW, timedelta(hours=2), DeadlineState.DUE_SOON, id="new-two-hours-left"),
        pytest.param(Status.NEW, timedelta(minutes=30), DeadlineState.DUE_SOON, id="new-due-soon"),
        pytest.param(Status.NEW, timedelta(0), DeadlineState.DUE_SOON, id="new-due-now"),
        pytest.param(Status.NEW, -timedelta(seconds=1), DeadlineState.BREACHED, id="new-breached"),
        pytest.param(Status.INVESTIGATING, timedelta(hours=25), DeadlineState.ON_TIME, id="open-on-time"),
        pytest.param(Status.INVESTIGATING, timedelta(hours=3), DeadlineState.DUE_SOON, id="open-due-within-a-day"),
        pytest.param(Status.REOPENED, -timedelta(days=2), DeadlineState.BREACHED, id="reopened-breached"),
    ],
)
def test_deadline_state(status, due_in, expected):
    now = at(TUE, 10)
    with time_machine.travel(now, tick=False):
        assert deadline_state(now + due_in, status=status) == expected
    assert deadline_state(now + due_in, status=status, now=now) == expected


def test_no_deadline_has_no_state():
    assert deadline_state(None, status=Status.CLOSED) == DeadlineState.NONE


@pytest.mark.django_db
def test_the_list_filter_agrees_with_the_state_shown(dealer, agent):
    customer = CustomerFactory(dealer=dealer)
    with time_machine.travel(at(TUE, 10), tick=False) as traveller:
        complaints = []
        for channel in (Channel.DEALER_HOTLINE, Channel.MEDIA, Channel.REGULATOR):
            complaints.append(
                complaint_create(
                    customer=customer, acting_user=agent, channel=channel, category=Category.OTHER, description="x"
                )
            )
        # Acknowledge the hotline complaint by 18:00, the media one by 14:00; the regulator one is being
        # investigated, so its resolution deadline, weeks away, runs.
        Complaint.objects.filter(pk=complaints[2].pk).update(status=Status.INVESTIGATING)
        for moment in (at(TUE, 10), at(TUE, 12, 30), at(TUE, 16, 30), at(TUE, 19)):
            traveller.move_to(moment)
            listed = complaint_list(user=agent)
            for state in (DeadlineState.ON_TIME, DeadlineState.DUE_SOON, DeadlineState.BREACHED):
                expected = {
                    c.pk
                    for c in Complaint.objects.filter(pk__in=[c.pk for c in complaints])
                    if deadline_state(c.current_due_at, status=c.status) == state
                }
                assert set(complaint_filter_deadline(listed, state).values_list("pk", flat=True)) == expected, (
                    moment,
                    state,
                )
