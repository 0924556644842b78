"""Quiet hours (免打扰): a daily window, possibly across midnight, in local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo


def quiet_until(moment: datetime, *, start: time, end: time, tz: tzinfo) -> datetime | None:
    """The end of the quiet window containing `moment`, or None when `moment` is outside it."""
    local = moment.astimezone(tz)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return None
    end_day = local.date() if now < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=tz)
