"""The notification list filtered by kind, and marked read by kind; the director told under the bell."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from cac.deadlines.notifications import notification_kinds, notification_mark_read, notify
from cac.models import Notification
from tests.mail_links import assert_links_absolute

pytestmark = pytest.mark.django_db


def notices(user):
    for n in range(3):
        notify(recipient=user, key=f"digest-{n}", kind="digest", title=f"digest {n}")
    notify(recipient=user, key="esc-1", kind="complaint_escalated", title="escalated")


def test_the_kinds_count_all_and_unread(agent):
    notices(agent)
    notification_mark_read(user=agent, kind="digest")
    with translation.override("en"):
        kinds = {
            row["kind"]: (str(row["label"]), row["total"], row["unread"]) for row in notification_kinds(user=agent)
        }
    assert kinds == {"digest": ("Morning digest", 3, 0), "complaint_escalated": ("Escalation", 1, 1)}


def test_the_list_filters_by_kind_and_marks_one_kind_read(client, agent, other_agent):
    notices(agent)
    notify(recipient=other_agent, key="theirs", kind="digest", title="not mine")
    client.force_login(agent)
    page = client.get(reverse("notifications"), {"kind": "digest"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "digest 0" in page and 'fw-semibold">escalated<' not in page and 'data-kind="complaint_escalated"' in page
    response = client.post(reverse("notification_read_all"), {"kind": "digest"})
    assert response.status_code == 302 and response.url.endswith("?kind=digest")
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("key", flat=True))
    assert unread == {"esc-1", "theirs"}
    everything = client.get(reverse("notifications"), {"kind": "no-such-kind"}).content.decode()
    assert 'fw-semibold">escalated<' in everything and "digest 0" in everything  # an unknown kind: the whole list


def test_the_director_is_told_of_a_major_complaint_under_the_bell_and_by_mail(make_user, dealer, settings):
    from complaints.models import Severity
    from complaints.tasks import complaint_notify_director
    from tests.complaints.factories import ComplaintFactory

    settings.CAC_SITE_URL = "https://cac.example.com/"
    director = make_user("director", dealer, username="director", email="director@example.com")
    director.language = "en"
    director.save(update_fields=["language"])
    silent = make_user("director", dealer, username="director-2")  # no e-mail address: still told in the app
    complaint = ComplaintFactory(dealer=dealer, severity=Severity.MAJOR)
    assert complaint_notify_director.run(complaint_id=complaint.pk) == 1
    assert complaint_notify_director.run(complaint_id=complaint.pk) == 0  # a rerun tells nobody twice
    told = Notification.objects.filter(kind="complaint_director_alert")
    assert set(told.values_list("recipient", flat=True)) == {director.pk, silent.pk}
    [message] = mail.outbox
    assert message.subject.startswith("[Major] Complaint ") and complaint.number in message.subject
    assert assert_links_absolute(message) == [f"https://cac.example.com/complaints/{complaint.pk}/"]
    with translation.override("zh-hans"):
        assert (
            "需要" in told.get(recipient=silent).shown_title
            or complaint.number in told.get(recipient=silent).shown_title
        )
