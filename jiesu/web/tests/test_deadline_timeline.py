"""The timeline line of a resume says how long the pause was and which deadlines moved."""

from __future__ import annotations

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind
from jiesu.tickets.tests.test_deadline_pauses import _dispatched, _pause
from jiesu.tickets.tests.working_time import use_working_time_rules
from jiesu.web.presenters import timeline_rows


@pytest.mark.django_db
def test_the_resume_line_shows_both_lengths_and_the_moves(world: World) -> None:
    use_working_time_rules()
    ticket = _pause(world, _dispatched(world))
    row = next(r for r in timeline_rows(ticket.events.all()) if r.event.kind == EventKind.RESUMED)
    assert "挂起时长：10天18小时" in row.summary
    assert "其中工作时间：9小时30分钟" in row.summary
    assert "反馈 2026-02-14 12:00 → 2026-02-24 16:00" in row.summary
    assert "承办单位签收 2026-02-13 23:59 → 2026-02-24 11:30" in row.summary
