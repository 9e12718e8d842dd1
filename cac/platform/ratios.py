"""The one definition of a ratio and of how it reads, for every page, export and PDF: a share of nothing is no
figure at all, shown as "—", never "0.0 %"."""

from django.utils.formats import number_format


def percent(part: int | float | None, whole: int | float | None) -> float | None:
    """`part` of `whole` in per cent, one decimal; None when there is nothing to divide by."""
    return None if not whole else round(100.0 * (part or 0) / whole, 1)


def percent_text(value: float | None) -> str:
    """A percentage as it is shown: `33.3%`, or `—` for none."""
    if value is None:
        return "—"
    return f"{number_format(round(value, 1), decimal_pos=1)}%"
