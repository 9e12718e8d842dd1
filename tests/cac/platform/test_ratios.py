"""One definition of a ratio and of how it reads: a share of nothing is "—" on every page, export and PDF."""

from django.template import Context, Template
from django.utils import translation

from cac.platform.ratios import percent, percent_text
from callbacks.templatetags.callback_tags import percent as rate_filter


def test_a_share_of_nothing_is_no_figure():
    assert percent(0, 0) is None and percent(None, None) is None
    assert percent(0, 4) == 0.0 and percent(1, 3) == 33.3


def test_it_reads_the_same_everywhere():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert percent_text(None) == "—"
            assert percent_text(33.333) == "33.3%"
            assert percent_text(0.0) == "0.0%"
            assert rate_filter(None) == "—" and rate_filter(1 / 3) == "33.3%"
            rendered = Template("{% load ratios %}{{ a|percent_text }} {{ b|percent_text }}").render(
                Context({"a": None, "b": 50})
            )
            assert rendered == "— 50.0%"


def test_the_report_tables_show_an_empty_ratio_as_a_dash():
    from reports.tables import _num

    assert _num(None, "%") == "—" and _num(12.5, "%") == "12.5%" and _num(None) == "—" and _num(3) == 3
