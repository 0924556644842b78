"""What every `jiesu` command shares: domain refusals end the command with their Chinese message.

A service refuses with a DomainError (jiesu.core.errors); a command built on `JiesuCommand`
lets it propagate and the refusal becomes a CommandError — the message on stderr and exit
status 1 from the console, the same exception under call_command — instead of each command
wrapping its service calls in the same try/except.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from jiesu.core.errors import DomainError


class JiesuCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc


def iso_date(text: str) -> date:
    """A YYYY-MM-DD argument, refused in Chinese otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc
