"""Demo accounts: the civil-affairs 12345 sub-center, its offices and one user per role.

Every password is drawn at random when the account is created (never a fixed default), shown
once and kept in `<JIESU_VAR_DIR>/demo-logins.txt` (mode 0600) so the demo can be used later.
Running again keeps existing accounts and their passwords unless `reset_passwords` is set.
"""

from __future__ import annotations

import os
import secrets
import string
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import RoleGrant, Unit, User
from jiesu.orgs.services import unit_create, units_seed_beijing, user_create

BEIJING_CODE = "110000"
CENTER_CODE = "MZ12345"
CENTER_NAME = "北京市民政局12345分中心"
OFFICES = (("01", "社会救助处"), ("02", "养老服务处"), ("03", "儿童福利处"), ("04", "社会事务处"))
CHAOYANG_CODE, WANGJING_CODE = "110105", "110105026"
LOGINS_FILE = "demo-logins.txt"
KEPT = "（未更改，见原记录）"
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    unit_code: str


ACCOUNTS = (
    DemoAccount("agent", "王敏", (Role.AGENT,), CENTER_CODE),
    DemoAccount("lead", "李建国", (Role.SHIFT_LEAD, Role.AGENT), CENTER_CODE),
    DemoAccount("callback", "赵丽", (Role.CALLBACK_AGENT,), CENTER_CODE),
    DemoAccount("analyst", "陈思远", (Role.ANALYST,), CENTER_CODE),
    DemoAccount("leader", "刘志强", (Role.LEADER,), CENTER_CODE),
    DemoAccount("editor", "孙晓梅", (Role.KNOWLEDGE_EDITOR,), CENTER_CODE),
    DemoAccount("chaoyang", "张伟", (Role.UNIT_STAFF,), CHAOYANG_CODE),
    DemoAccount("wangjing", "杨静", (Role.UNIT_STAFF,), WANGJING_CODE),
    DemoAccount("shejiu", "周文", (Role.UNIT_STAFF,), f"{CENTER_CODE}-01"),
    DemoAccount("sysadmin", "系统管理员", (Role.SYSTEM_ADMIN,), CENTER_CODE),
    DemoAccount("secadmin", "安全管理员", (Role.SECURITY_ADMIN,), CENTER_CODE),
    DemoAccount("auditadmin", "审计管理员", (Role.AUDIT_ADMIN,), CENTER_CODE),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    roles: str
    unit: str
    password: str  # the new password, or KEPT when an existing account was left alone
    created: bool


def demo_password() -> str:
    """Twelve random characters in three groups, without look-alike characters."""
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in raw) and any(c.isupper() for c in raw) and any(c.islower() for c in raw):
            return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def logins_path() -> Path:
    return Path(settings.VAR_DIR) / LOGINS_FILE


def _ensure_center() -> dict[str, Unit]:
    """The sub-center under the Beijing city unit, and its offices; returns units by code."""
    if Unit.objects.filter(code__in=[BEIJING_CODE, CHAOYANG_CODE, WANGJING_CODE]).count() < 3:
        units_seed_beijing()
    city = Unit.objects.get(code=BEIJING_CODE)
    center = Unit.objects.filter(code=CENTER_CODE).first()
    if center is None:
        center = unit_create(name=CENTER_NAME, kind=UnitKind.CENTER, parent=city, code=CENTER_CODE)
    for suffix, name in OFFICES:
        code = f"{CENTER_CODE}-{suffix}"
        if not Unit.objects.filter(code=code).exists():
            unit_create(name=name, kind=UnitKind.OFFICE, parent=center, code=code)
    codes = [a.unit_code for a in ACCOUNTS]
    return {u.code: u for u in Unit.objects.filter(code__in=codes)}


def _role_labels(roles: tuple[Role, ...]) -> str:
    return "、".join(Role(r).label for r in roles)


def _ensure_account(account: DemoAccount, unit: Unit, reset: bool) -> DemoLogin:
    user = User.objects.filter(username=account.username).first()
    password = demo_password() if user is None or reset else KEPT
    if user is None:
        user = user_create(
            username=account.username,
            password=password,
            unit=unit,
            roles=account.roles,
            display_name=account.display_name,
        )
        audit_record(actor=None, action="orgs.demo_user_created", obj=user, detail={"roles": list(account.roles)})
        return DemoLogin(account.username, _role_labels(account.roles), unit.name, password, created=True)
    missing = [r for r in account.roles if r not in user.roles]
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in missing])
    if not reset:
        return DemoLogin(account.username, _role_labels(account.roles), unit.name, KEPT, created=False)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=None, action="orgs.demo_password_reset", obj=user)
    return DemoLogin(account.username, _role_labels(account.roles), unit.name, password, created=False)


def _previous_passwords(path: Path) -> dict[str, str]:
    """Passwords recorded by an earlier run, so the file keeps listing every account."""
    if not path.exists():
        return {}
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] != "用户名":
            found[parts[0]] = parts[3]
    return found


def _write_private(path: Path, text: str) -> None:
    """Write `text` so that it is never readable by others, not even for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".demo-logins-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)


def logins_table(logins: list[DemoLogin]) -> str:
    lines = ["用户名\t角色\t单位\t密码"]
    lines += [f"{x.username}\t{x.roles}\t{x.unit}\t{x.password}" for x in logins]
    return "\n".join(lines) + "\n"


def logins_render(logins: list[DemoLogin]) -> str:
    """The logins as an aligned table (Chinese characters count as two columns)."""
    header = ("用户名", "角色", "单位", "密码")
    rows = [header, *((x.username, x.roles, x.unit, x.password) for x in logins)]

    def width(text: str) -> int:
        return sum(2 if ord(c) > 0x2E80 else 1 for c in text)

    widths = [max(width(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def demo_users_ensure(*, reset_passwords: bool = False, path: Path | None = None) -> list[DemoLogin]:
    """Create the demo sub-center and accounts (idempotent); returns one login per account.

    Accounts that already existed report the password recorded in the logins file (or KEPT).
    """
    path = path or logins_path()
    previous = _previous_passwords(path)
    with transaction.atomic():
        units = _ensure_center()
        missing = [a.unit_code for a in ACCOUNTS if a.unit_code not in units]
        if missing:
            raise ValidationFailed(f"演示账号所需的单位不存在：{'、'.join(missing)}")
        logins = [_ensure_account(a, units[a.unit_code], reset_passwords) for a in ACCOUNTS]
        logins = [replace(x, password=previous.get(x.username, KEPT)) if x.password == KEPT else x for x in logins]
        # Written before the commit: if the file cannot be written, no account is left without
        # a recorded password.
        _write_private(path, logins_table(logins))
    return logins
