"""The benchmark's phone-system row runs: each event answers `{}` and the calls converge (bench/pages.py)."""

import pytest
from django.test import Client

from bench.dataset import Samples
from bench.pages import _cti_events, run_item
from bench.pages import items as bench_items
from cac.models import CtiCall
from tests.cac.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_cti_row_posts_whole_calls_and_counts_its_queries(dealer, agent):
    customers = [(c.pk, c.mobile) for c in (CustomerFactory(dealer=dealer) for _ in range(3))]
    event = _cti_events(dealer=dealer, customers=customers, agent=agent)
    item = next(
        i
        for i in bench_items(
            dealer=dealer,
            users={"agent": agent, "worklist": agent, "service": agent},
            samples=Samples(customers=customers, complaints=[], steps=[]),
        )
        if i.key == "cti"
    )
    row = run_item(item, Client(), warmup=3, requests=12)
    assert "HTTP" not in row.note and "lacks" not in row.note, row.note  # the time is the benchmark's to judge
    assert CtiCall.objects.filter(answered_by=agent, ended_at__isnull=False).count() == 5
    assert row.queries_max <= 14
    assert event(0).content_type == "application/x-www-form-urlencoded"
