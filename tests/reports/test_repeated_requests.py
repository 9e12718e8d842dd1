"""The same month's report is not requested again and again: the existing one is offered (or regenerated on
purpose), and its requester deletes a failed or a repeated one."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reports.models import MonthlyReport, Status
from reports.services import (
    ReportAlreadyRequested,
    monthly_report_delete,
    monthly_report_generate,
    monthly_report_request,
)

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def executive(make_user, dealer):
    return make_user("executive", dealer, username="executive")


@pytest.fixture
def director(make_user, dealer):
    return make_user("director", dealer, username="director")


@pytest.fixture(autouse=True)
def stand_in_pdf(monkeypatch, media_root):
    from reports import pdf

    monkeypatch.setattr(pdf, "render_snapshot_pdf", lambda snapshot, *, language: b"%PDF-1.7 stand-in")


def ask(user, dealer, **kwargs):
    return monthly_report_request(dealer_ids=[dealer.pk], month=MARCH, language="zh-hans", requested_by=user, **kwargs)


def test_a_second_request_of_the_same_report_is_refused_with_the_first(executive, dealer):
    first = ask(executive, dealer)
    with pytest.raises(ReportAlreadyRequested) as refused:
        ask(executive, dealer)
    assert refused.value.report == first
    with pytest.raises(ReportAlreadyRequested):  # still generating: not even on purpose
        ask(executive, dealer, regenerate=True)
    assert MonthlyReport.objects.count() == 1


def test_a_ready_report_is_generated_again_only_on_purpose(executive, dealer):
    first = ask(executive, dealer)
    monthly_report_generate(report_id=first.pk)
    with pytest.raises(ReportAlreadyRequested):
        ask(executive, dealer)
    again = ask(executive, dealer, regenerate=True)
    assert again.pk != first.pk and again.status == Status.QUEUED


def test_a_failed_report_does_not_stand_in_the_way(executive, dealer, monkeypatch):
    from reports import snapshot

    first = ask(executive, dealer)
    monkeypatch.setattr(snapshot, "report_snapshot", lambda **kwargs: 1 / 0)
    assert monthly_report_generate(report_id=first.pk).status == Status.FAILED
    assert ask(executive, dealer).pk != first.pk


def test_another_language_or_month_is_another_report(executive, dealer):
    ask(executive, dealer)
    monthly_report_request(dealer_ids=[dealer.pk], month=MARCH, language="en", requested_by=executive)
    monthly_report_request(dealer_ids=[dealer.pk], month=date(2026, 2, 1), language="zh-hans", requested_by=executive)
    assert MonthlyReport.objects.count() == 3


def test_the_page_offers_the_existing_report_and_regenerates_it(client, executive, dealer):
    first = ask(executive, dealer)
    monthly_report_generate(report_id=first.pk)
    client.force_login(executive)
    page = client.post(reverse("reports:list"), {"month": "2026-03", "dealer": str(dealer.pk)})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="report-existing"' in html and reverse("reports:preview", args=[first.pk]) in html
    assert 'id="report-regenerate"' in html
    assert MonthlyReport.objects.count() == 1
    client.post(reverse("reports:list"), {"month": "2026-03", "dealer": str(dealer.pk), "regenerate": "1"})
    assert MonthlyReport.objects.count() == 2


def test_the_requester_deletes_a_failed_or_repeated_report_only(client, executive, director, dealer, monkeypatch):
    first = ask(executive, dealer)
    monthly_report_generate(report_id=first.pk)
    second = ask(executive, dealer, regenerate=True)
    with pytest.raises(PermissionDenied):
        monthly_report_delete(report_id=second.pk, acting_user=director)  # not the requester
    client.force_login(executive)
    assert 'class="d-inline report-delete"' in client.get(reverse("reports:list")).content.decode()
    client.post(reverse("reports:delete", args=[first.pk]))
    assert not MonthlyReport.objects.filter(pk=first.pk).exists()
    with pytest.raises(PermissionDenied):  # the only one of its month now
        monthly_report_delete(report_id=second.pk, acting_user=executive)
    page = client.post(reverse("reports:delete", args=[second.pk]), follow=True)
    assert page.status_code == 200 and MonthlyReport.objects.filter(pk=second.pk).exists()


def test_a_scheduled_report_is_offered_and_never_deleted(executive, dealer):
    from reports.services import monthly_reports_schedule

    [scheduled] = monthly_reports_schedule(today=date(2026, 4, 1), language="zh-hans")
    with pytest.raises(ReportAlreadyRequested):
        ask(executive, dealer)
    with pytest.raises(PermissionDenied):
        monthly_report_delete(report_id=scheduled.pk, acting_user=executive)


def test_another_dealers_report_cannot_be_deleted(client, make_user, other_dealer, dealer):
    stranger = make_user("executive", other_dealer, username="stranger")
    theirs = ask(stranger, other_dealer)
    mine = make_user("executive", dealer, username="mine")
    client.force_login(mine)
    assert client.post(reverse("reports:delete", args=[theirs.pk])).status_code == 404
