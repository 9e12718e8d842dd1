"""Notifications: one per event key, the e-mail after commit, the bell and the page."""

import pytest
from django.core import mail
from django.urls import reverse

from cac.deadlines.notifications import notification_mark_read, notify
from cac.models import Notification
from cac.tasks import notification_email
from tests.mail_links import assert_links_absolute

pytestmark = pytest.mark.django_db


def make(recipient, key="event-1", **fields):
    fields = {"kind": "test", "title": "投诉超时", "body": "", "url": "/complaints/", **fields}
    return notify(recipient=recipient, key=key, **fields)


def test_the_same_event_notifies_once(agent):
    first, created = make(agent)
    second, created_again = make(agent, title="another title")
    assert created and not created_again
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_the_email_leaves_after_commit_once(agent, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(notification_email, "apply_async", lambda kwargs: sent.append(kwargs))
    agent.email = "agent@example.com"
    agent.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = make(agent)
        assert sent == []
        make(agent)
    assert sent == [{"notification_id": notification.pk}]


def test_no_email_address_no_mail(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        make(agent)
    assert callbacks == []


def test_the_email_task_sends_the_notification(agent, settings):
    settings.CAC_SITE_URL = "https://cac.example.com/"
    agent.email = "agent@example.com"
    agent.save(update_fields=["email"])
    notification, _ = make(agent, body="请今日处理")
    assert notification_email.run(notification_id=notification.pk) == 1
    assert mail.outbox[0].subject == "投诉超时"
    assert mail.outbox[0].to == ["agent@example.com"]
    assert "请今日处理" in mail.outbox[0].body
    assert assert_links_absolute(mail.outbox[0]) == ["https://cac.example.com/complaints/"]
    assert notification_email.run(notification_id=0) == 0


def test_mark_read_touches_only_the_users_own(agent, other_agent):
    mine, _ = make(agent, key="a")
    make(agent, key="b")
    theirs, _ = make(other_agent, key="c")
    assert notification_mark_read(user=agent, notification_id=theirs.pk) == 0
    assert notification_mark_read(user=agent, notification_id=mine.pk) == 1
    assert notification_mark_read(user=agent) == 1
    assert Notification.objects.filter(recipient=agent, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- Views ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["notifications", "notification_bell"])
def test_login_required(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_lists_only_the_users_own(agent_client, agent, other_agent):
    make(agent, key="a", title="我的通知")
    make(other_agent, key="b", title="别人的通知")
    response = agent_client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "我的通知" in response.content.decode()
    assert "别人的通知" not in response.content.decode()


def test_the_bell_counts_unread(agent_client, agent, other_agent, django_assert_max_num_queries):
    make(agent, key="a")
    make(agent, key="b")
    make(other_agent, key="c")
    with django_assert_max_num_queries(3):  # session, user, count
        response = agent_client.get(reverse("notification_bell"))
    assert 'id="notification-unread">2<' in response.content.decode()
    notification_mark_read(user=agent)
    assert "notification-unread" not in agent_client.get(reverse("notification_bell")).content.decode()


def test_pages_load_the_bell_lazily(agent_client):
    page = agent_client.get(reverse("desk")).content.decode()
    assert f'hx-get="{reverse("notification_bell")}"' in page


def test_mark_one_and_all_read(agent_client, agent, other_agent):
    one, _ = make(agent, key="a")
    make(agent, key="b")
    theirs, _ = make(other_agent, key="c")
    assert agent_client.get(reverse("notification_read", args=[one.pk])).status_code == 405
    response = agent_client.post(reverse("notification_read", args=[one.pk]))
    assert response.status_code == 302
    assert Notification.objects.get(pk=one.pk).read_at is not None
    agent_client.post(reverse("notification_read", args=[theirs.pk]))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    agent_client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_never_redirects_off_site(agent_client, agent):
    one, _ = make(agent)
    response = agent_client.post(reverse("notification_read", args=[one.pk]), {"next": "//evil.example.com/"})
    assert response["Location"] == reverse("notifications")
