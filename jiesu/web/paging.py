"""Paging of long lists: counting stops at a cap, so a broad search never counts a million rows."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator

COUNT_CAP = 10_000


if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator  # not subscriptable at run time


class CappedPaginator(_Paginator):
    """A paginator whose count reads at most COUNT_CAP + 1 rows; beyond it the list says
    "more than 10,000" and only the first COUNT_CAP rows can be paged through (the export still
    writes every row)."""

    @cached_property
    def count(self) -> int:
        # Without the list's ordering: which rows are counted does not matter, and an ordered
        # subquery made PostgreSQL walk the received-time index row by row.
        object_list: Any = self.object_list
        return int(object_list.order_by()[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP
