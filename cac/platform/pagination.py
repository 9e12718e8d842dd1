"""Pages of long lists that stay fast at any depth.

`Paginator` slices the whole query, so page 200 of a list that joins its customer, vehicle and handler makes the
database join 5,000 rows to throw 4,975 away. Here a page is read in two steps: its ids first (a walk along the
list's index, with nothing joined), then the rows of those ids only, with their joins. Costs one query more than a
plain page, the same at any depth.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_of(queryset: QuerySet, number, per_page: int, *, count: int | None = None) -> Page:
    """The `number`th page (any value: out-of-range and junk give the last or the first page, as `get_page` does)
    of the ordered `queryset`, its rows in the queryset's order. `count`, when the caller knows it, saves the
    paginator its COUNT query."""
    paginator = Paginator(queryset.values_list("pk", flat=True), per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()} if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
