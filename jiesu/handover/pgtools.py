"""pg_dump and pg_restore for backups: the client matching the server, secrets in the environment.

The password travels in PGPASSWORD, never on the command line, where `ps` would show it to every
user of the machine. Debian installs each client version under /usr/lib/postgresql/<major>/bin
and puts only a wrapper on PATH, so the version matching the server is looked for there first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db import connection

from jiesu.handover.errors import HandoverFailed, HandoverRefused

DEBIAN_ROOT = Path("/usr/lib/postgresql")
SETTINGS_ENV = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "service": "PGSERVICE",
    "passfile": "PGPASSFILE",
}


def pg_environment() -> dict[str, str]:
    """The process environment (libpq reads PG* from it for Django's connection too), with the
    connection settings of the default database on top."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for key, name in SETTINGS_ENV.items():
        if conf.get(key):
            env[name] = str(conf[key])
    for key, name in OPTIONS_ENV.items():
        if conf.get("OPTIONS", {}).get(key):
            env[name] = str(conf["OPTIONS"][key])
    return env


def _major(path: Path) -> int:
    match = re.fullmatch(r"\d+", path.parent.parent.name)
    return int(match.group()) if match else 0


def pg_tool(name: str) -> str:
    """The client program for this server: same major version, else a newer one, else PATH's."""
    server = int(connection.pg_version) // 10000  # type: ignore[attr-defined]
    installed = sorted(DEBIAN_ROOT.glob(f"*/bin/{name}"), key=_major)
    for candidate in [p for p in installed if _major(p) == server] + [p for p in installed if _major(p) > server]:
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise HandoverRefused(
        f"找不到 {name}：请安装与数据库服务器版本一致的 PostgreSQL 客户端（如 postgresql-client-{server}）"
    )


def pg_run(args: list[str], *, what: str) -> None:
    completed = subprocess.run(args, env=pg_environment(), capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()[-2000:]
        raise HandoverFailed(f"{what}失败（退出码 {completed.returncode}）：{detail}")


def pg_dump(target: Path, *, snapshot: str) -> None:
    """A custom-format dump of the database as the exported `snapshot` sees it."""
    pg_run(
        [pg_tool("pg_dump"), "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
        what="pg_dump 备份数据库",
    )


def pg_restore(source: Path) -> None:
    """Replace the dumped objects in one transaction: on any error the database stays as it was.

    Ownership and grants are not restored: the objects belong to the role that restores, and
    grants to other roles (e.g. a read-only reporting role) are applied again by the operator.
    """
    pg_run(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-acl",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        what="pg_restore 恢复数据库",
    )
