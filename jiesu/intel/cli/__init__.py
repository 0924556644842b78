"""Subcommands of `jiesu intel` kept in their own modules: each module in `EXTENSIONS` adds its
subparsers with `add_arguments(sub)` and runs them through `COMMANDS` (subcommand → function of
the command and its options)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand

from jiesu.intel.cli import bursts, lexicon, reply_check, screen, suggest

Runner = Callable[[BaseCommand, dict[str, Any]], None]

# Ticket suggestions (train from the database, models, activate), repeat and duplicate screening
# with its rules, the sensitive-content lexicon, reply elements in a CSV file, burst alerts.
EXTENSIONS: list[ModuleType] = [suggest, screen, lexicon, reply_check, bursts]


def runners() -> dict[str, Runner]:
    found: dict[str, Runner] = {}
    for module in EXTENSIONS:
        found.update(module.COMMANDS)
    return found
