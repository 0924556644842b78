"""`jiesu audit verify`: Chinese output, JSON output, and the exit status."""

# ruff: noqa: S608 - these tests build tampering SQL on purpose, from constants

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from jiesu.audit.services import audit_record
from jiesu.audit.tests.tamper import TABLE, TRIGGER, tamper

ROOT = Path(__file__).resolve().parents[3]


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def chain(db: None) -> list[int]:
    return [audit_record(actor=None, action="test.cli", detail={"n": n}).sequence for n in range(5)]


def test_an_intact_chain_passes(chain: list[int]) -> None:
    text = verify()
    assert f"已校验 {chain[-1]} 条审计记录" in text
    assert "审计哈希链完整" in text


def test_a_tampered_chain_fails_with_the_problems_in_chinese(chain: list[int]) -> None:
    tamper(f"DELETE FROM {TABLE} WHERE sequence = %s", [chain[2]])
    out = StringIO()
    with pytest.raises(CommandError, match="发现 2 处问题") as failure:
        call_command("audit", "verify", stdout=out)
    assert failure.value.returncode == 1
    assert f"第 {chain[2]} 条记录缺失（已被删除）" in out.getvalue()


def test_json_output(chain: list[int]) -> None:
    report = json.loads(verify("--format", "json", "--from", str(chain[1])))
    assert report["intact"] is True
    assert report["checked"] == chain[-1] - chain[1] + 1
    tamper(f"UPDATE {TABLE} SET detail = %s WHERE sequence = %s", ['{"n": 7}', chain[3]])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["intact"] is False
    assert report["problems"] == [
        {
            "kind": "edited",
            "sequence": chain[3],
            "message": f"第 {chain[3]} 条记录的哈希不符（内容被修改、伪造或调换了位置）",
        }
    ]


def _database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    return f"postgres://{conf['USER']}:{conf['PASSWORD']}@{conf['HOST']}:{conf['PORT']}/{conf['NAME']}"


def _run_cli() -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "jiesu.settings_test"}
    return subprocess.run(
        [sys.executable, "-m", "jiesu", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_console_script_exits_0_when_intact_and_1_when_tampered() -> None:
    sequences = [audit_record(actor=None, action="test.cli", detail={"n": n}).sequence for n in range(3)]
    intact = _run_cli()
    assert intact.returncode == 0, intact.stderr
    assert "审计哈希链完整" in intact.stdout
    try:
        tamper(f"UPDATE {TABLE} SET action = %s WHERE sequence = %s", ["test.forged", sequences[1]])
        broken = _run_cli()
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
    assert broken.returncode == 1
    assert f"第 {sequences[1]} 条记录的哈希不符" in broken.stdout
    assert "审计日志校验未通过" in broken.stderr
