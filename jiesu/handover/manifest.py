"""manifest.json of an export: what it holds, and the check an import makes before writing.

Every file is listed with its size, SHA-256 and (for tables and CSV) its number of rows, so a
truncated, edited or half-copied export is refused before anything is loaded.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jiesu.handover.errors import HandoverRefused
from jiesu.handover.files import CHUNK, HashingWriter

FORMAT = "jiesu-handover"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"

KIND_TABLE = "table"
KIND_CSV = "csv"
KIND_ATTACHMENT = "attachment"
# Anything else in a manifest is refused: an import must never be led to read outside the export.
PATH_PATTERNS = {
    KIND_TABLE: re.compile(r"[a-z0-9_]+\.[a-z0-9_]+\.jsonl"),
    KIND_CSV: re.compile(r"[a-z0-9_]+\.csv"),
    KIND_ATTACHMENT: re.compile(r"files/[0-9a-f]{64}"),
}


@dataclass
class FileEntry:
    path: str
    kind: str
    bytes: int
    sha256: str
    rows: int | None = None
    model: str | None = None
    fields: list[str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Manifest:
    created_at: str
    jiesu_version: str
    vendor: str
    migrations: dict[str, str]
    files: list[FileEntry]
    # Blobs the database names but the store no longer has (e.g. removed by the retention policy).
    missing_attachments: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[FileEntry]:
        return [f for f in self.files if f.kind == KIND_TABLE]

    @property
    def attachments(self) -> list[FileEntry]:
        return [f for f in self.files if f.kind == KIND_ATTACHMENT]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "jiesu_version": self.jiesu_version,
            "created_at": self.created_at,
            "source_vendor": self.vendor,
            "migrations": self.migrations,
            "missing_attachments": self.missing_attachments,
            "files": [f.as_dict() for f in self.files],
        }


def manifest_write(directory: Path, manifest: Manifest) -> None:
    text = json.dumps(manifest.as_dict(), ensure_ascii=False, indent=1) + "\n"
    with HashingWriter(directory / MANIFEST_NAME) as out:
        out.write(text.encode())


def manifest_read(directory: Path) -> Manifest:
    path = directory / MANIFEST_NAME
    if not path.is_file():
        raise HandoverRefused(f"{directory} 中没有 {MANIFEST_NAME}：不是完整的接诉导出目录（导出可能未完成）")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(data.get("format"))
        if data.get("format_version") != FORMAT_VERSION:
            raise HandoverRefused(
                f"导出格式版本 {data.get('format_version')} 不受支持（本程序支持版本 {FORMAT_VERSION}）"
            )
        return Manifest(
            created_at=str(data["created_at"]),
            jiesu_version=str(data["jiesu_version"]),
            vendor=str(data["source_vendor"]),
            migrations={str(k): str(v) for k, v in data["migrations"].items()},
            files=[FileEntry(**item) for item in data["files"]],
            missing_attachments=[str(s) for s in data.get("missing_attachments", [])],
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HandoverRefused(f"{MANIFEST_NAME} 无法读取或格式不对：{exc}") from exc


def _measure(path: Path) -> tuple[str, int, int]:
    digest, size, newlines = hashlib.sha256(), 0, 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
    return digest.hexdigest(), size, newlines


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return max(sum(1 for _ in csv.reader(stream)) - 1, 0)


def _entry_problems(directory: Path, entry: FileEntry) -> list[str]:
    pattern = PATH_PATTERNS.get(entry.kind)
    if pattern is None or not pattern.fullmatch(entry.path):
        return [f"{entry.path}：清单中的文件名或类型不合法"]
    if entry.kind == KIND_ATTACHMENT and entry.path.removeprefix("files/") != entry.sha256:
        return [f"{entry.path}：附件文件名与清单中的 SHA-256 不一致"]
    path = directory / entry.path
    if path.is_symlink() or not path.is_file():
        return [f"{entry.path}：文件缺失"]
    sha256, size, newlines = _measure(path)
    problems = []
    if size != entry.bytes:
        problems.append(f"{entry.path}：大小不符（清单 {entry.bytes} 字节，实际 {size} 字节）")
    if sha256 != entry.sha256:
        problems.append(f"{entry.path}：SHA-256 校验值不符（文件被修改或损坏）")
    rows = newlines if entry.kind == KIND_TABLE else _csv_rows(path) if entry.kind == KIND_CSV else None
    if rows != entry.rows:
        problems.append(f"{entry.path}：行数不符（清单 {entry.rows} 行，实际 {rows} 行）")
    return problems


def manifest_problems(directory: Path, manifest: Manifest) -> list[str]:
    """One Chinese line per missing, resized, edited or miscounted file; empty when all is well."""
    problems = []
    seen: set[str] = set()
    for entry in manifest.files:
        if entry.path in seen:
            problems.append(f"{entry.path}：在清单中重复出现")
            continue
        seen.add(entry.path)
        problems.extend(_entry_problems(directory, entry))
    return problems
