"""Texts the app writes are kept as data and worded in the reader's language (cac.texts): the follow-up's and the
prospect's call summary, the notices of the sweep and the digest, the key-attention reason, the e-mails."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_noop

from cac.deadlines.notifications import notify
from cac.models import CallLog, Notification
from cac.platform.attempts import AttemptResult
from cac.tasks import notification_email
from cac.texts import joined, render, text
from callbacks.models import Kind
from callbacks.services import callback_record_attempt
from tests.mail_links import assert_links_absolute

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_text_reads_in_each_language():
    data = text(
        gettext_noop("%(kind)s: %(result)s"), kind=Kind.AFTER_COMPLAINT.label, result=AttemptResult.NO_ANSWER.label
    )
    assert render(data, language="en") == "After complaint: No answer"
    assert render(data, language="zh-hans") == "投诉处理后回访：无人接听"


def test_a_moment_reads_in_the_format_of_the_language_and_the_zone_it_was_given_in():
    due = datetime(2026, 12, 3, 18, 0, tzinfo=SHANGHAI)
    data = text(gettext_noop("%(number)s must be resolved by %(due)s"), number="TS-1", due=due)
    assert render(data, language="en") == "TS-1 must be resolved by 2026-12-03 18:00"
    assert "2026年12月3日 18:00" in render(data, language="zh-hans")


def test_parts_join_and_plain_words_stay_as_written():
    data = joined(text(gettext_noop("Prospects to contact: %(count)s"), count=3), "原文", separator="\n")
    assert render(data, language="en") == "Prospects to contact: 3\n原文"
    assert render("free text", language="zh-hans") == "free text"
    assert render(None) == ""


def test_an_unknown_msgid_still_reads_in_the_writers_words():
    assert render({"t": "Renamed %(n)s", "p": {"n": "1"}}, language="zh-hans") == "Renamed 1"


@pytest.mark.django_db
def test_a_follow_up_summary_written_in_english_reads_in_chinese(make_user, dealer, settings):
    from cac import roles
    from callbacks.models import Callback, Status
    from tests.cac.factories import CustomerFactory

    agent = make_user(roles.AGENT, dealer, username="en-agent")
    customer = CustomerFactory(dealer=dealer)
    callback = Callback.objects.create(
        customer=customer,
        dealer=dealer,
        agent=agent,
        kind=Kind.AFTER_COMPLAINT,
        status=Status.DUE,
        due_at=datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI),
    )
    with translation.override("en"), time_machine.travel(datetime(2026, 12, 3, 9, 15, tzinfo=SHANGHAI), tick=False):
        callback_record_attempt(callback_id=callback.pk, acting_user=agent, result=AttemptResult.NO_ANSWER, note="关机")
    call = CallLog.objects.get(customer=customer)
    with translation.override("zh-hans"):
        assert call.shown_summary == "投诉处理后回访：无人接听 — 关机"
    with translation.override("en"):
        assert call.shown_summary == "After complaint: No answer — 关机"
    assert call.summary == "投诉处理后回访：无人接听 — 关机"  # the CAC's language for a search or the admin


@pytest.mark.django_db
def test_a_notice_reads_in_the_readers_language_and_mails_in_the_recipients(make_user, dealer, settings):
    from cac import roles

    settings.CAC_SITE_URL = "https://cac.example.com/"
    manager = make_user(roles.SERVICE_MANAGER, dealer, username="mgr-en", email="mgr@example.com")
    manager.language = "en"
    manager.save(update_fields=["language"])
    title = text(gettext_noop("Contact %(name)s today"), name="赵女士")
    notification, _created = notify(recipient=manager, key="t-1", kind="prospect_due", title=title, url="/prospects/")
    with translation.override("zh-hans"):
        assert notification.shown_title == "今天请联系 赵女士"
        chinese = notification.shown_title
    with translation.override("en"):
        assert notification.shown_title == "Contact 赵女士 today"
    assert Notification.objects.get(pk=notification.pk).title == chinese
    with translation.override("zh-hans"):  # whatever the page's language, the mail is in the recipient's
        assert notification_email.run(notification_id=notification.pk) == 1
    assert mail.outbox[0].subject == "Contact 赵女士 today"
    assert assert_links_absolute(mail.outbox[0]) == ["https://cac.example.com/prospects/"]


@pytest.mark.django_db
def test_an_old_notice_without_data_reads_as_written(make_user, dealer):
    from cac import roles

    user = make_user(roles.AGENT, dealer, username="old")
    notification = Notification.objects.create(recipient=user, kind="x", key="old-1", title="旧的标题", body="旧")
    with translation.override("en"):
        assert (notification.shown_title, notification.shown_body) == ("旧的标题", "旧")


@pytest.mark.django_db
def test_the_notification_page_shows_each_reader_their_language(client, make_user, dealer):
    from cac import roles

    user = make_user(roles.AGENT, dealer, username="reader")
    notify(
        recipient=user,
        key="t-2",
        kind="digest",
        title=text(gettext_noop("Your open cases on %(date)s"), date=datetime(2026, 12, 3).date()),
    )
    client.force_login(user)
    english = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your open cases on 2026-12-03" in english
    chinese = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Your open cases" not in chinese and "2026年12月3日" in chinese


@pytest.mark.django_db
def test_the_language_switch_keeps_the_users_preference(client, make_user, dealer):
    from cac import roles

    user = make_user(roles.AGENT, dealer, username="switcher")
    assert user.language == "zh-hans"
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
