"""Paging of long lists: counting stops at a cap, so a broad search never counts a million rows."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator

COUNT_CAP = 10_000
# A keyword search counts only this far: each match counted costs a heap visit, and 10,000 of
# them took 45-100 ms at 1M tickets (bench/bench_pages.py), while a reader refines a keyword long
# before page 20.
KEYWORD_COUNT_CAP = 1_000


if TYPE_CHECKING:
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator  # not subscriptable at run time


class CappedPaginator(_Paginator):
    """A paginator whose count reads at most `cap` + 1 rows (COUNT_CAP unless told); beyond it
    the list says "more than 10,000" and only the first `cap` rows can be paged through (the
    export still writes every row)."""

    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self._cap = cap

    @cached_property
    def count(self) -> int:
        # Without the list's ordering: which rows are counted does not matter, and an ordered
        # subquery made PostgreSQL walk the received-time index row by row.
        object_list: Any = self.object_list
        return int(object_list.order_by()[: self.cap + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap(self) -> int:
        # Read at call time, not bound at import: tests lower the module's cap.
        return COUNT_CAP if self._cap is None else self._cap
