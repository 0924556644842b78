"""Throw-away Jiesu instances for the handover tests, driven through the real `jiesu` command.

Each instance has its own database (an SQLite file, or a PostgreSQL database created for it),
attachment root and keys. The suite runs once per database: on PostgreSQL when DATABASE_URL
points at one (the test role may create databases), on SQLite otherwise. A freshly migrated
instance is a copy of one migrated template, which is what `jiesu migrate` would give, faster.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parents[3]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))
FIELD_KEY = "00112233445566778899aabbccddeeff"
OTHER_FIELD_KEY = "ffeeddccbbaa99887766554433221100"
AUDIT_KEY = "handover-test-audit-key"


@dataclass
class Instance:
    home: Path
    database_url: str
    field_key: str = FIELD_KEY
    audit_key: str = AUDIT_KEY

    @property
    def attachments(self) -> Path:
        return self.home / "attachments"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JIESU_", "DJANGO_", "PG"))}
        env.update(
            DJANGO_SETTINGS_MODULE="jiesu.settings",
            DATABASE_URL=self.database_url,
            JIESU_SECRET_KEY="handover-test-secret-key",
            JIESU_FIELD_KEY=self.field_key,
            JIESU_AUDIT_KEY=self.audit_key,
            JIESU_ATTACHMENT_ROOT=str(self.attachments),
            JIESU_VAR_DIR=str(self.home / "var"),
            JIESU_LOG_LEVEL="ERROR",
        )
        env.update(overrides)
        return env

    def run(self, *args: str, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        # System checks load every URL module: a second per command, and tested elsewhere.
        command = [args[0], "--skip-checks", *args[1:]] if args[0] != "shell" else list(args)
        done = subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-m", "jiesu", *command],
            cwd=self.home,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if ok and done.returncode != 0:
            raise AssertionError(f"jiesu {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        if not ok and done.returncode == 0:
            raise AssertionError(f"jiesu {' '.join(args)} should have failed:\n{done.stdout}\n{done.stderr}")
        return done

    def shell(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code).stdout.strip()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """SQL straight on the instance's database, without starting a command."""
        if ON_POSTGRES:
            with psycopg.connect(self.database_url, autocommit=True) as server:
                cursor = server.execute(sql.encode())
                return cursor.fetchall() if cursor.description else []
        with closing(sqlite3.connect(self.database_url.removeprefix("sqlite:///"))) as file, file:
            return file.execute(sql).fetchall()


@dataclass
class Instances:
    """Creates instances under `base`; on PostgreSQL also their databases, dropped by cleanup()."""

    base: Path
    databases: list[str] = field(default_factory=list)
    _template: str = ""

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(DATABASE_URL, autocommit=True)

    def _database(self, name: str, template: str = "") -> str:
        database = f"jiesu_handover_{os.getpid()}_{name}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{database}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.databases.append(database)
        parts = urlsplit(DATABASE_URL)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def _home(self, name: str) -> Path:
        home = self.base / name
        home.mkdir()
        return home

    def empty(self, name: str, **keys: str) -> Instance:
        """An instance whose database has no tables at all, and no attachments."""
        home = self._home(name)
        url = self._database(name) if ON_POSTGRES else f"sqlite:///{home / 'jiesu.sqlite3'}"
        return Instance(home, url, **keys)

    def fresh(self, name: str, **keys: str) -> Instance:
        """An instance just after `jiesu migrate`."""
        if not self._template:
            template = self.empty("template")
            template.run("migrate", "--verbosity", "0")
            self._template = template.database_url
        home = self._home(name)
        if ON_POSTGRES:
            url = self._database(name, template=urlsplit(self._template).path.lstrip("/"))
        else:
            target = home / "jiesu.sqlite3"
            shutil.copyfile(self._template.removeprefix("sqlite:///"), target)
            url = f"sqlite:///{target}"
        return Instance(home, url, **keys)

    def _drop(self, database: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def cleanup(self) -> None:
        # Each DROP DATABASE waits for a checkpoint; dropped together they share one.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._drop, self.databases))


def _jsonl_without(path: Path, columns: set[str]) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [{k: v for k, v in row.items() if k not in columns} for row in rows]


def _csv_without(path: Path, headers: set[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    keep = [i for i, header in enumerate(rows[0]) if header not in headers]
    return [[row[i] for i in keep] for row in rows]


def _audit_lines(path: Path) -> list[str]:
    """The audit entries that handover operations did not add (those differ by design)."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if '"action":"handover.' not in line]


def exports_differences(
    first: Path,
    second: Path,
    *,
    keyed: dict[str, set[str]] | None = None,
    keyed_headers: dict[str, set[str]] | None = None,
) -> list[str]:
    """Files of two exports that differ, byte for byte, apart from what handover itself adds to
    the audit trail and columns whose value depends on the instance's key (`keyed`)."""
    keyed, keyed_headers = keyed or {}, keyed_headers or {}
    names = {p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()}
    other = {p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()}
    problems = [f"only in one export: {name}" for name in sorted(names ^ other)]
    for name in sorted(names & other - {"manifest.json", "audit.auditchainhead.jsonl"}):
        a, b = first / name, second / name
        if name == "audit.auditentry.jsonl":
            same = _audit_lines(a) == _audit_lines(b)
        elif name in keyed:
            same = _jsonl_without(a, keyed[name]) == _jsonl_without(b, keyed[name])
        elif name in keyed_headers:
            same = _csv_without(a, keyed_headers[name]) == _csv_without(b, keyed_headers[name])
        else:
            same = a.read_bytes() == b.read_bytes()
        if not same:
            problems.append(f"differs: {name}")
    return problems
