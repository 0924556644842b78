"""JiesuCommand: a domain refusal ends any command with its Chinese message; dates in YYYY-MM-DD."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management.base import CommandError

from jiesu.core.errors import Conflict
from jiesu.core.management.base import JiesuCommand, iso_date


class Refusing(JiesuCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        raise Conflict("该工单已被他人修改，请刷新后重试")


def test_a_domain_refusal_becomes_a_command_error_with_its_message() -> None:
    with pytest.raises(CommandError, match="该工单已被他人修改") as raised:
        Refusing().execute(no_color=True, force_color=False, skip_checks=True)
    assert raised.value.returncode == 1
    assert isinstance(raised.value.__cause__, Conflict)


def test_iso_date_reads_yyyy_mm_dd_and_refuses_anything_else_in_chinese() -> None:
    assert iso_date("2026-02-13") == date(2026, 2, 13)
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD：2026/02/13"):
        iso_date("2026/02/13")
