"""The snapshot kept with a generated report: plain JSON, read back to the very figures it was taken from, labelled
in the reader's language."""

import json
from datetime import date, timedelta

import pytest
from django.utils import translation

from complaints.models import KeyAttentionVehicle
from reports.selectors import complaint_figures
from reports.snapshot import report_snapshot, snapshot_dealers, snapshot_figures, snapshot_generated_at

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)


def test_the_snapshot_is_plain_json(dealer, march):
    snapshot = report_snapshot(dealer_ids=[dealer.pk], month=MARCH)
    assert json.loads(json.dumps(snapshot)) == snapshot  # no dates, decimals or tuples left
    assert snapshot_dealers(snapshot) == [("GZ01", "广州天河")]
    assert snapshot_generated_at(snapshot).tzinfo is not None


def test_read_back_it_equals_the_figures_it_was_taken_from(dealer, march):
    # A time with microseconds survives too (the PDF shows minutes, but nothing is rounded on the way).
    KeyAttentionVehicle.objects.filter(reason="维修质量投诉").update(
        since=march["c1"].received_at + timedelta(hours=1, microseconds=123_456)
    )
    with translation.override("zh-hans"):
        figures = complaint_figures(dealer_ids=[dealer.pk], month=MARCH)
        snapshot = report_snapshot(dealer_ids=[dealer.pk], month=MARCH)
        assert snapshot_figures(snapshot) == figures
    assert figures.key_vehicles[0]["since"].microsecond == 123_456


def test_two_dealers_and_an_empty_month(dealer, other_dealer, march):
    empty = report_snapshot(dealer_ids=[dealer.pk, other_dealer.pk], month=date(2025, 6, 1))
    assert snapshot_figures(empty) == complaint_figures(dealer_ids=[dealer.pk, other_dealer.pk], month=date(2025, 6, 1))
    assert snapshot_dealers(empty) == [("GZ01", "广州天河"), ("SZ02", "深圳南山")]


def test_labels_of_choices_are_given_in_the_readers_language(dealer, march):
    with translation.override("zh-hans"):
        snapshot = report_snapshot(dealer_ids=[dealer.pk], month=MARCH)
        chinese = snapshot_figures(snapshot)
    with translation.override("en"):
        english = snapshot_figures(snapshot)
        expected = complaint_figures(dealer_ids=[dealer.pk], month=MARCH)
    assert english == expected
    assert (
        english.breakdowns["category"][0].label == "Repair quality or skill" != chinese.breakdowns["category"][0].label
    )
    assert {r.label for r in english.breakdowns["model"]} == {"凯美瑞", "雷凌", "—"}  # data, not labels
    assert [label for _level, label, _count in english.escalations_by_level] != [
        label for _level, label, _count in chinese.escalations_by_level
    ]
