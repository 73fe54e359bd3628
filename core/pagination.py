"""Pagination that never counts a whole province.

COUNT(*) over hundreds of thousands of filtered rows costs 100–200 ms at 1M customers; a list
page only needs to know whether there are more than a screenful of pages. Counting stops at
COUNT_CAP rows (SELECT COUNT(*) FROM (… LIMIT cap+1)); beyond it the page says "more than" and
asks the user to narrow the filters. Past the cap the pager still goes on: a page beyond the
counted ones is fetched with one row more than it shows, and that row says whether there is a
next page (`CappedPage.has_next`).
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q
from django.utils.functional import cached_property

COUNT_CAP = 10_000
PAGE_SIZES = (25, 50, 100, 200)  # what the page-size selector offers; anything else is the view's default


class CappedPage(Page):
    """A page that knows whether another follows it even when the count stopped at the cap."""

    def __init__(self, object_list, number, paginator, *, more: bool | None = None):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more if self.more is not None else super().has_next()

    def end_index(self):
        return (self.number - 1) * self.paginator.per_page + len(self.object_list) if self.object_list else 0


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # No ORDER BY: which rows fill the cap does not matter, and sorting them would.
        counted = self.object_list.order_by()[: COUNT_CAP + 1].count()
        self.count_capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)

    @property
    def is_capped(self) -> bool:
        return self.count >= COUNT_CAP and self.count_capped

    def validate_number(self, number):
        """Any page from 1 when the count is capped (the rows go on past it), else Django's bounds."""
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from error
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self.is_capped:
            return CappedPage(self.object_list[bottom:bottom + self.per_page], number, self)
        rows = list(self.object_list[bottom:bottom + self.per_page + 1])  # one more: is there a next page?
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def _get_page(self, *args, **kwargs):
        return CappedPage(*args, **kwargs)


def page_window(page, *, around: int = 2) -> list[int | None]:
    """The page numbers the pager shows: the first, the ones `around` the current, the last counted page (not
    when the count is capped: the pages go on), None where numbers are left out."""
    paginator, current = page.paginator, page.number
    last = paginator.num_pages
    shown = {1, current, *range(max(1, current - around), min(max(last, current), current + around) + 1)}
    if not paginator.is_capped:
        shown.add(last)
    elif page.has_next():
        shown.add(current + 1)
    window, previous = [], 0
    for number in sorted(n for n in shown if n >= 1):
        if number - previous > 1:
            window.append(None)
        window.append(number)
        previous = number
    return window


def _value(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def neighbours(queryset, obj, keys) -> tuple:
    """The pks before and after `obj` in `queryset` ordered by `keys` ((field, descending), …, ending on a unique
    field): a keyset query each (WHERE (k1, k2…) beyond obj's ORDER BY … LIMIT 1), never the list loaded."""

    def beyond(forward: bool):
        q = None
        for i, (field, descending) in enumerate(keys):
            after = "lt" if descending == forward else "gt"
            step = Q(**{f"{field}__{after}": _value(obj, field)})
            for earlier, _descending in keys[:i]:
                step &= Q(**{earlier: _value(obj, earlier)})
            q = step if q is None else q | step
        order = [f"-{f}" if d == forward else f for f, d in keys]  # backwards: each key's order reversed
        return queryset.filter(q).order_by(*order).values_list("pk", flat=True).first()

    return beyond(False), beyond(True)
