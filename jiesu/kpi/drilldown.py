"""The tickets behind a figure, for a given viewer: the one rule the KPI pages and the API use.

The list is narrowed exactly as the viewer's figures were (kpi_viewer_where), and never goes
beyond what the viewer may read (tickets_visible_to), so its count equals the figure shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from jiesu.kpi.indicators import Window
from jiesu.kpi.permissions import kpi_viewer_where
from jiesu.kpi.selectors import (
    indicator_denominator_tickets,
    indicator_numerator_terms,
    indicator_numerator_tickets,
    scheme_in_force,
)
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import tickets_visible_to

NUMERATOR, DENOMINATOR = "numerator", "denominator"


@dataclass(frozen=True)
class Weighting:
    """How a numerator with scaled terms adds up: `scaled_count` tickets count at the scheme's
    `coefficient`, the rest as one each, which makes `figure`."""

    scaled_count: int
    coefficient: Decimal
    figure: Decimal


def kpi_scoped(tickets: QuerySet[Ticket], *, viewer: User) -> QuerySet[Ticket]:
    where = kpi_viewer_where(viewer)
    if where is not None:
        tickets = tickets.filter(where)
    return tickets & tickets_visible_to(viewer=viewer)


def drilldown_tickets(*, viewer: User, code: str, part: str, window: Window, by: str, key: str) -> QuerySet[Ticket]:
    select = indicator_numerator_tickets if part == NUMERATOR else indicator_denominator_tickets
    return kpi_scoped(select(code=code, window=window, by=by, key=key), viewer=viewer)


def drilldown_weighting(
    *, viewer: User, scheme_code: str, on: date, code: str, part: str, window: Window, by: str, key: str
) -> Weighting | None:
    """The scheme version is the one in force `on` (the window's first day). None when every
    ticket of the list counts as one (denominators, unscaled numerators)."""
    if part != NUMERATOR:
        return None
    terms = indicator_numerator_terms(code=code, window=window, by=by, key=key)
    if not any(scaled for scaled, _ in terms):
        return None
    coefficient = scheme_in_force(code=scheme_code, on=on).fairly_satisfied_coefficient
    counts = [(scaled, kpi_scoped(tickets, viewer=viewer).count()) for scaled, tickets in terms]
    figure = sum((Decimal(n) * (coefficient if scaled else 1) for scaled, n in counts), Decimal(0))
    return Weighting(sum(n for scaled, n in counts if scaled), coefficient, figure)
