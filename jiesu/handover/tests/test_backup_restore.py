"""`jiesu backup` → wipe → `jiesu restore` gives back the same database, files and audit trail."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from jiesu.handover.tests.instances import ON_POSTGRES, Instance, Instances, exports_differences

STRAY_TABLE = "stray_table"
STRAY_KEY = "zz-stray"


def _stray(instance: Instance) -> tuple[int, bool]:
    """The stray row and whether the stray table exists."""
    rows = instance.query(f"SELECT count(*) FROM tickets_numbersequence WHERE key = '{STRAY_KEY}'")  # noqa: S608
    catalog = "pg_tables WHERE tablename" if ON_POSTGRES else "sqlite_master WHERE name"
    tables = instance.query(f"SELECT count(*) FROM {catalog} = '{STRAY_TABLE}'")  # noqa: S608
    return rows[0][0], tables[0][0] == 1


def _tamper(archive: Path, target: Path) -> None:
    """The same archive with one attachment's content changed and backup.json left alone."""
    with tarfile.open(archive, "r:*") as source, tarfile.open(target, "w") as out:
        changed = False
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("files/") and not changed:
                data, changed = data[:-1] + b"!", True
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_backup_wipe_restore_gives_everything_back(
    source: Instance, source_export: Path, instances: Instances, tmp_path: Path
) -> None:
    archive = tmp_path / "jiesu.tar.gz"
    made = source.run("backup", "--out", str(archive)).stdout
    assert "SHA-256" in made
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        meta = json.load(tar.extractfile("backup.json"))  # type: ignore[arg-type]
    assert {"backup.json", meta["database"]} <= set(names)
    assert len([n for n in names if n.startswith("files/")]) == 3
    assert meta["audit_head"]["last_sequence"] > 0

    # Wiped: an empty database and no attachment files.
    restored = instances.empty("restored")
    tampered = tmp_path / "tampered.tar"
    _tamper(archive, tampered)
    refused = restored.run("restore", str(tampered), ok=False).stderr
    assert "SHA-256 校验值不符" in refused and "未做任何恢复" in refused

    done = restored.run("restore", str(archive)).stdout
    assert f"审计链完整，链头第 {meta['audit_head']['last_sequence']} 条" in done
    again = tmp_path / "again"
    restored.run("export-all", str(again))
    assert exports_differences(source_export, again) == []
    for blob in (source_export / "files").iterdir():
        assert (restored.attachments / blob.name[:2] / blob.name[2:4] / blob.name).read_bytes() == blob.read_bytes()

    # A database with data is replaced only on request, and then nothing of it is left.
    restored.query(f"INSERT INTO tickets_numbersequence (key, value) VALUES ('{STRAY_KEY}', 1)")  # noqa: S608
    restored.query(f"CREATE TABLE {STRAY_TABLE} (id integer)")
    assert _stray(restored) == (1, True)
    assert "--force" in restored.run("restore", str(archive), ok=False).stderr
    restored.run("restore", str(archive), "--force")
    assert _stray(restored) == (0, False)
    restored.run("audit", "verify")

    # Restored under another audit key, the chain cannot verify: reported, with a non-zero status.
    wrong_key = restored.run("restore", str(archive), "--force", ok=False, JIESU_AUDIT_KEY="another-key").stderr
    assert "审计日志与备份记录不符" in wrong_key and "JIESU_AUDIT_KEY" in wrong_key
