"""One date format per language, the same on every page: English in year-month-day order on the 24-hour clock."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

MOMENT = datetime.datetime(2026, 12, 5, 18, 0)
TEMPLATE = Template(
    '{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|date:"DATETIME_FORMAT" }}|{{ at|date }}|'
    '{{ at|date:"SHORT_DATE_FORMAT" }}|{{ at|time }}'
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2026-12-05 18:00|2026-12-05 18:00|2026-12-05|2026-12-05|18:00"),
        ("zh-hans", "2026年12月5日 18:00|2026年12月5日 18:00|2026年12月5日|2026年12月5日|18:00"),
    ],
)
def test_every_format_of_a_language_reads_the_same(language, expected):
    with translation.override(language):
        assert TEMPLATE.render(Context({"at": MOMENT})) == expected
