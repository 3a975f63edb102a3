"""Paging through lists of millions of rows without counting them all (decision 0008).

A list page and an API list said how many records match by ``COUNT(*)``: on 5,000,000
participations that alone took seconds. :class:`CappedPaginator` counts at most :data:`CAP` rows
(``SELECT COUNT(*) FROM (… LIMIT 10001)``); beyond that it reports the query planner's estimate on
PostgreSQL (``EXPLAIN``, no rows read) as an approximate count, and offers pages up to the
:data:`CAP`-th row: past it an ``OFFSET`` reads and discards every row before the page, and nobody
reads page 20,000 of a list; they narrow the filters (or export, which streams everything).
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db import connections
from django.db.models import QuerySet

#: Rows counted exactly, and paged through, at most.
CAP = 10_000

__all__ = ["CAP", "CappedPaginator", "EmptyPage", "capped_count", "estimate"]


def _queryset(object_list: Any) -> QuerySet | None:
    """The queryset under a list: itself, or under django-tables2's rows (BoundRows → TableData)."""
    data = object_list
    for _ in range(2):
        if isinstance(data, QuerySet):
            return data
        data = getattr(data, "data", None)
    return data if isinstance(data, QuerySet) else None


def estimate(qs: QuerySet) -> int | None:
    """The planner's estimate of the rows ``qs`` returns (PostgreSQL), or None where there is none."""
    if connections[qs.db].vendor != "postgresql":
        return None
    plan = json.loads(qs.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, exact): the exact count when at most :data:`CAP` rows match; else the planner's
    estimate (at least CAP + 1), or CAP + 1 where there is no planner to ask."""
    n = qs.order_by().values("pk")[: CAP + 1].count()
    if n <= CAP:
        return n, True
    return max(estimate(qs) or 0, CAP + 1), False


class CappedPaginator(Paginator):
    """A paginator that never counts more than :data:`CAP` rows; ``exact`` says whether ``count``
    is a count, ``capped`` that the pages stop before the last record, and ``estimated`` that the
    count past the cap is the planner's estimate."""

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        qs = _queryset(self.object_list)
        return (len(self.object_list), True) if qs is None else capped_count(qs)

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._counted[0]

    @property
    def exact(self) -> bool:
        return self._counted[1]

    @property
    def capped(self) -> bool:
        """More rows match than the pages reach."""
        return self.count > CAP

    @property
    def estimated(self) -> bool:
        """Past the cap, the count is the planner's estimate (not merely "more than CAP")."""
        return self.count > CAP + 1

    @cached_property
    def num_pages(self) -> int:  # type: ignore[override]
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        hits = max(1, min(self.count, CAP) - self.orphans)
        return math.ceil(hits / self.per_page)

    def page(self, number: Any) -> Any:
        """Page ``number``; the last one ends at the CAP-th row when more match.

        The first page is read before anything is counted, one row longer than a page: when that
        row is missing, the page holds every match and is the count (a search with few hits reads
        the table once, not twice).
        """
        if "_counted" not in self.__dict__ and str(number).strip() == "1":
            rows = list(self.object_list[: self.per_page + 1])
            if len(rows) <= self.per_page:
                self.__dict__["_counted"] = (len(rows), True)
            return self._get_page(rows[: self.per_page], 1, self)
        number = self.validate_number(number)
        end = min(self.count, CAP)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= end:
            top = end
        return self._get_page(self.object_list[bottom:top], number, self)
