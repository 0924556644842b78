"""The near-duplicate candidate query gives up past its time budget instead of holding up intake."""

from __future__ import annotations

import pytest
from django.db import connection

from jiesu.intel.duplicates import near
from jiesu.tickets.models import Ticket


@pytest.mark.django_db
def test_a_query_over_the_budget_gives_no_candidates_and_leaves_the_transaction_usable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the budget is a PostgreSQL statement timeout; SQLite runs the query as is")
    monkeypatch.setattr(near, "CANDIDATE_BUDGET_MS", 50)
    slow = Ticket.objects.raw("SELECT 1 AS id, '' AS title, '' AS content FROM pg_sleep(0.5)")
    assert near._bounded(slow) == []
    assert Ticket.objects.count() >= 0  # the savepoint was rolled back: the transaction goes on
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.django_db
def test_a_query_within_the_budget_returns_its_rows() -> None:
    rows = near._bounded(Ticket.objects.values_list("pk", "title", "content"))
    assert rows == list(Ticket.objects.values_list("pk", "title", "content"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"
