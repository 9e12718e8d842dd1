"""Working a follow-up call in a real browser: from the worklist to the work screen, the call script answered and the
attempt recorded in one submit, back on the worklist with the call completed. Screenshots of the worklist and the
work screen in both languages land in test-artifacts/."""

import importlib
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cac.models import Sale
from cac.platform.attempts import AttemptResult, slot_of
from callbacks.models import Callback, CallbackAttempt, Kind, Question, Status
from tests.cac.factories import CustomerFactory, VehicleFactory, make_vin
from tests.callbacks.conftest import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"
LOGIN = {
    "zh-hans": {"username": "用户名", "password": "密码", "login": "登录"},
    "en": {"username": "Username", "password": "Password", "login": "Log in"},
}


@pytest.fixture
def tomorrow_morning():
    """10:00 tomorrow in Shanghai, inside the morning slot (and in the future, so that cookies stay valid)."""
    day = timezone.localdate() + timedelta(days=1)
    moment = datetime.combine(day, time(10, 0), tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture
def questions(db):
    """The default call scripts; transactional tests flush the rows the migration wrote."""
    migration = importlib.import_module("callbacks.migrations.0002_questions_and_roles")
    for kind, rows in migration.DEFAULT_QUESTIONS.items():
        for position, (text, answer_type) in enumerate(rows):
            Question.objects.get_or_create(
                dealer=None,
                kind=kind,
                position=position,
                defaults={"text": text, "answer_type": answer_type, "required": answer_type != "text"},
            )


@pytest.fixture
def worklist(dealer, agent, questions, tomorrow_morning):
    """A morning's work: the call to make, one overdue, one already tried this morning, one tried last night."""
    tonight = datetime.combine(tomorrow_morning.date(), time(18, 0), tzinfo=SHANGHAI)

    def callback(name, mobile, model, plate, **fields):
        customer = CustomerFactory(dealer=dealer, name=name, mobile=mobile)
        vehicle = VehicleFactory(customer=customer, vin=make_vin(int(mobile[-5:])), model=model, plate=plate)
        attempts = fields.pop("attempts", [])
        row = Callback.objects.create(
            dealer=dealer,
            customer=customer,
            vehicle=vehicle,
            agent=agent,
            due_at=fields.pop("due_at", tonight),
            **fields,
        )
        for moment, result in attempts:
            CallbackAttempt.objects.create(
                callback=row, attempted_at=moment, slot=slot_of(moment, SHANGHAI), result=result, agent=agent
            )
        return row

    callback(
        "李明",
        "13911112222",
        "RAV4荣放",
        "粤A3K721",
        kind=Kind.AFTER_SERVICE,
        status=Status.DUE,
        due_at=tonight - timedelta(days=1),
    )
    target = callback("陈静", "13800138000", "凯美瑞", "粤A12345", kind=Kind.AFTER_SALE, status=Status.DUE)
    sale = Sale.objects.create(
        dealer=dealer,
        customer=target.customer,
        vehicle=target.vehicle,
        delivered_on=tomorrow_morning.date() - timedelta(days=3),
        consultant_name="张伟",
    )
    Callback.objects.filter(pk=target.pk).update(sale=sale)
    callback("黄伟", "13722223333", "卡罗拉", "粤B9C218", kind=Kind.MAINTENANCE, status=Status.SCHEDULED)
    callback(
        "吴芳",
        "13633334444",
        "汉兰达",
        "粤A6D503",
        kind=Kind.AFTER_SALE,
        status=Status.IN_PROGRESS,
        attempts=[(tomorrow_morning - timedelta(minutes=50), AttemptResult.NO_ANSWER)],
        next_attempt_at=datetime.combine(tomorrow_morning.date(), time(12, 0), tzinfo=SHANGHAI),
    )
    callback(
        "周晓梅",
        "13544445555",
        "威兰达",
        "粤A8E114",
        kind=Kind.AFTER_SERVICE,
        status=Status.IN_PROGRESS,
        attempts=[(tomorrow_morning - timedelta(hours=14), AttemptResult.BUSY)],
    )
    return target


def _login(page, live_server, language: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(LOGIN[language]["username"]).fill("agent")
    page.get_by_label(LOGIN[language]["password"]).fill(PASSWORD)
    page.get_by_role("button", name=LOGIN[language]["login"]).click()
    expect(page.locator("#phone-box")).to_be_visible()


def _choose(page, name: str, value: str) -> None:
    page.locator(f"#attempt-form input[name='{name}'][value='{value}'] + label").click()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_agent_works_a_callback_from_the_worklist_to_completed(page, live_server, worklist, artifacts, language):
    callback = worklist
    _login(page, live_server, language)

    page.locator("#nav-callbacks").click()
    rows = page.locator("#worklist .worklist-row")
    expect(rows).to_have_count(5)
    # The order (due today first, overdue of earlier days after, tried in this slot last) is tested in test_views.
    expect(rows.filter(has_text="李明").locator(".overdue-badge")).to_be_visible()
    expect(rows.filter(has_text="吴芳").locator(".next-attempt")).to_be_visible()
    page.screenshot(path=artifacts / f"callbacks-worklist-{language}.png", full_page=True)

    row = page.locator(f"#callback-{callback.pk}")
    expect(row.locator(".customer-link")).to_have_attribute("href", f"/customers/{callback.customer_id}/")
    row.locator(".work-link").click()

    expect(page.locator("#customer-name")).to_have_text("陈静")
    expect(page.locator("#event-sale")).to_contain_text("张伟")
    expect(page.locator("#no-attempts")).to_be_visible()
    _choose(page, "result", AttemptResult.REACHED)
    for question in Question.objects.filter(dealer=None, kind=Kind.AFTER_SALE):
        if question.answer_type == Question.AnswerType.SCORE:
            _choose(page, f"q_{question.pk}", "5")
        elif question.answer_type == Question.AnswerType.YES_NO:
            _choose(page, f"q_{question.pk}", "yes")
        else:
            page.locator(f"#id_q_{question.pk}").fill("希望周末也能预约试驾")
    _choose(page, "satisfaction", "5")
    page.locator("#id_remarks").fill("对销售顾问的讲解很满意")
    page.screenshot(path=artifacts / f"callbacks-work-{language}.png", full_page=True)
    page.locator("#record-attempt").click()

    # Back on the worklist: one call fewer, and the call is completed with the answers keyed by question.
    expect(page.locator(".alert-success")).to_contain_text("陈静")
    expect(page.locator("#worklist .worklist-row")).to_have_count(4)
    callback.refresh_from_db()
    assert callback.status == Status.COMPLETED
    assert callback.satisfaction == 5
    assert callback.remarks == "对销售顾问的讲解很满意"
    assert len(callback.answers) == Question.objects.filter(dealer=None, kind=Kind.AFTER_SALE).count()

    # The customer 360 lists the finished call.
    page.goto(f"{live_server.url}/customers/{callback.customer_id}/")
    expect(page.locator(f"#follow-up-{callback.pk}")).to_be_visible()
    page.locator("#follow-ups").screenshot(path=artifacts / f"callbacks-360-{language}.png")
