"""`jiesu export-all` → `jiesu import-all` into an empty instance reproduces everything.

Real commands in subprocesses against real databases (SQLite files, or PostgreSQL databases
created for the test when DATABASE_URL points at PostgreSQL).
"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from typing import Any

from jiesu.core.keyring import Keyring
from jiesu.handover.csvviews import csv_columns
from jiesu.handover.tests.instances import (
    ON_POSTGRES,
    OTHER_FIELD_KEY,
    Instance,
    Instances,
    exports_differences,
)
from jiesu.tickets.models import Ticket

# The phone search digest is keyed by the instance's field key: the target computes its own.
DIGEST = "requester_phone_digest"
DIGEST_HEADER = next(c.header for c in csv_columns(Ticket) if c.lookup == DIGEST)


def _manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_export_is_private_complete_and_readable(source: Instance, source_export: Path) -> None:
    manifest = _manifest(source_export)
    assert manifest["source_vendor"] == ("postgresql" if ON_POSTGRES else "sqlite")
    assert manifest["migrations"]["tickets"].startswith("0")
    on_disk = {p.relative_to(source_export).as_posix() for p in source_export.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == {f["path"] for f in manifest["files"]}
    assert _mode(source_export) == 0o700
    assert {_mode(p) for p in source_export.rglob("*") if p.is_file()} == {0o600}

    tickets = next(f for f in manifest["files"] if f["path"] == "tickets.ticket.jsonl")
    assert tickets["rows"] == source.query("SELECT count(*) FROM tickets_ticket")[0][0] >= 150
    first = json.loads((source_export / "tickets.ticket.jsonl").open(encoding="utf-8").readline())
    assert first["requester_phone"].isdigit()  # plaintext, not the sealed column
    assert first["created_at"].endswith("+00:00")
    assert isinstance(first["deadline_rules"], dict)
    sheet = (source_export / "tickets.csv").read_bytes()
    assert sheet.startswith(b"\xef\xbb\xbf")
    assert "工单编号" in sheet.decode("utf-8-sig").splitlines()[0]
    assert len([f for f in manifest["files"] if f["kind"] == "attachment"]) == 3
    granted = json.loads((source_export / "orgs.user_user_permissions.jsonl").read_text(encoding="utf-8"))
    assert granted["permission_id"] == ["change_ticket", "tickets", "ticket"]

    refused = source.run("export-all", str(source_export), ok=False)
    assert "必须是空目录" in refused.stderr


def _tampered_copies(export: Path, base: Path) -> tuple[Path, Path]:
    edited = base / "edited"
    shutil.copytree(export, edited)
    events = edited / "tickets.ticketevent.jsonl"
    events.write_bytes(events.read_bytes().replace(b'"kind":"', b'"kind":"x', 1))
    next((edited / "files").iterdir()).unlink()
    future = base / "future"
    shutil.copytree(export, future)
    manifest = _manifest(future)
    manifest["migrations"]["tickets"] = "9999_from_the_future"
    (future / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return edited, future


def test_a_round_trip_reproduces_every_row_and_file(
    source: Instance, source_export: Path, instances: Instances, tmp_path: Path
) -> None:
    target = instances.fresh("imported", field_key=OTHER_FIELD_KEY)
    edited, future = _tampered_copies(source_export, tmp_path)

    refused = target.run("import-all", str(edited), ok=False).stderr
    assert "未写入任何数据" in refused
    assert "tickets.ticketevent.jsonl：SHA-256 校验值不符" in refused
    assert "文件缺失" in refused
    assert "迁移状态不一致" in target.run("import-all", str(future), ok=False).stderr
    wrong_key = target.run("import-all", str(source_export), ok=False, JIESU_AUDIT_KEY="another-key").stderr
    assert "JIESU_AUDIT_KEY" in wrong_key
    assert target.query("SELECT count(*) FROM tickets_ticket") == [(0,)]  # every refusal left it untouched

    target.run("import-all", str(source_export))
    target.run("audit", "verify")
    again = tmp_path / "again"
    target.run("export-all", str(again))
    assert (
        exports_differences(
            source_export,
            again,
            keyed={"tickets.ticket.jsonl": {DIGEST}},
            keyed_headers={"tickets.csv": {DIGEST_HEADER}},
        )
        == []
    )
    for blob in (source_export / "files").iterdir():
        stored = target.attachments / blob.name[:2] / blob.name[2:4] / blob.name
        assert stored.read_bytes() == blob.read_bytes()

    # Sealed columns were sealed again, and the digest made again, under the target's own key.
    target_ring = Keyring(bytes.fromhex(OTHER_FIELD_KEY))
    for line in (again / "tickets.ticket.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row[DIGEST] == (target_ring.phone_digest(row["requester_phone"]) if row["requester_phone"] else "")

    # The figures the contract is paid by come out the same, group by group.
    kpi = ("kpi", "--scheme", "beijing-3rates", "--from", "2019-01-01", "--to", "2099-12-31", "--by", "district")
    figures = json.loads(source.run(*kpi, "--format", "json").stdout)
    assert any(g["indicators"]["response_rate"]["denominator"] for g in figures["groups"])
    assert json.loads(target.run(*kpi, "--format", "json").stdout) == figures

    assert "已有数据" in target.run("import-all", str(source_export), ok=False).stderr
