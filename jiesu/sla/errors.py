"""Domain errors of the SLA app."""

from __future__ import annotations

from jiesu.core.errors import DomainError
from jiesu.sla.calendar import CalendarNotLoaded


class CalendarNotLoadedError(DomainError):
    """A working-time question about a year whose holiday notice is not loaded (fails closed)."""

    code = "calendar_not_loaded"
    status = 400
    default_message = "节假日与调休安排尚未录入，无法计算工作日"

    @classmethod
    def from_exception(cls, exc: CalendarNotLoaded) -> CalendarNotLoadedError:
        return cls(str(exc), year=exc.year)
