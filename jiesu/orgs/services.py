from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import NotFound, ValidationFailed
from jiesu.orgs.choices import TERRITORIAL_LEVELS, Role, UnitKind
from jiesu.orgs.divisions import DivisionFiles, DivisionRow, division_rows, iter_codes
from jiesu.orgs.models import ApiToken, RoleGrant, Unit, User, hash_token


def _level_for(kind: str, parent: Unit | None) -> int:
    if kind in TERRITORIAL_LEVELS:
        return TERRITORIAL_LEVELS[kind]
    return parent.level if parent is not None else 1


@transaction.atomic
def unit_create(
    *,
    name: str,
    kind: str,
    parent: Unit | None = None,
    code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Unit:
    if kind not in UnitKind.values:
        raise ValidationFailed(f"未知的单位类型：{kind}")
    if not name.strip():
        raise ValidationFailed("单位名称不能为空")
    unit = Unit(
        name=name.strip(),
        kind=kind,
        parent=parent,
        code=code.strip(),
        level=_level_for(kind, parent),
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_upsert_by_code(*, code: str, name: str, kind: str, parent: Unit | None) -> tuple[Unit, bool]:
    """Create the unit with this code, or rename/move the existing one. Returns (unit, created)."""
    existing = Unit.objects.filter(code=code).first()
    if existing is None:
        return unit_create(name=name, kind=kind, parent=parent, code=code), True
    changed = existing.name != name or existing.kind != kind or existing.parent_id != (parent.pk if parent else None)
    if changed:
        old_path = existing.path
        existing.name, existing.kind, existing.parent = name, kind, parent
        existing.level = _level_for(kind, parent)
        existing.path = f"{parent.path if parent else '/'}{existing.pk}/"
        existing.save(update_fields=["name", "kind", "parent", "level", "path", "updated_at"])
        if old_path != existing.path:
            for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=existing.pk):
                child.path = existing.path + child.path[len(old_path) :]
                child.save(update_fields=["path"])
    return existing, False


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    unit: Unit | None,
    roles: Iterable[str],
    display_name: str = "",
) -> User:
    roles = list(roles)
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed(f"未知的角色：{', '.join(unknown)}")
    user = User(username=username, unit=unit, display_name=display_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = Role.SYSTEM_ADMIN in roles
    user.full_clean(exclude=["password"])
    user.save()
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=r) for r in roles])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw))
    audit_record(actor=actor, action="api_token.create", obj=token, detail={"user": user.username, "name": name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token_id: int, actor: User | None) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time (conditional UPDATE)."""
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"令牌不存在：#{token_id}")
    revoked = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not revoked:
        raise ValidationFailed(f"令牌 #{token_id} 早已吊销")
    audit_record(actor=actor, action="api_token.revoke", obj=token, detail={"user_id": token.user_id})
    token.refresh_from_db()
    return token


def api_token_authenticate(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- Loading the territorial tree (city → district → township → community) ---

BEIJING_SEED = Path(__file__).resolve().parent / "seed" / "beijing.json"
BATCH_SIZE = 500


@dataclass
class UnitLoadResult:
    """What one load did; `created_by_kind` counts new units per UnitKind value."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    created_by_kind: dict[str, int] = field(default_factory=dict)

    def add_created(self, kind: str) -> None:
        self.created += 1
        self.created_by_kind[kind] = self.created_by_kind.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = "、".join(f"{UnitKind(k).label} {n}" for k, n in self.created_by_kind.items())
        created = f"新建 {self.created} 个" + (f"（{kinds}）" if kinds else "")
        return f"{created}，更新 {self.updated} 个，未变 {self.unchanged} 个"


def _units_by_code(codes: Iterable[str]) -> dict[str, Unit]:
    wanted = sorted({c for c in codes if c})
    found: dict[str, Unit] = {}
    for start in range(0, len(wanted), BATCH_SIZE):
        found.update((u.code, u) for u in Unit.objects.filter(code__in=wanted[start : start + BATCH_SIZE]))
    return found


def _parent_for(row: DivisionRow, known: dict[str, Unit]) -> Unit | None:
    if not row.parent_code:
        current = known.get(row.code)
        # A top-level row keeps an existing unit where the installation has hung it.
        return current.parent if current is not None else None
    parent = known.get(row.parent_code)
    if parent is None:
        raise ValidationFailed(
            f"{row.name or row.code}（{row.code}）的上级单位 {row.parent_code} 不存在："
            "请同时提供上级区划文件，或先导入上级单位"
        )
    return parent


def _differs(unit: Unit, row: DivisionRow, parent: Unit | None) -> bool:
    if row.is_ancestor or not row.name:
        return False  # only ensured to exist: never renamed or moved by a load below it
    return unit.name != row.name or unit.kind != row.kind or unit.parent_id != (parent.pk if parent else None)


def _new_unit(row: DivisionRow, parent: Unit | None) -> Unit:
    if not row.name:
        raise ValidationFailed(f"单位 {row.code} 尚不存在，区划文件中也没有它的名称：请同时提供 provinces.csv")
    return Unit(code=row.code, name=row.name, kind=row.kind, parent=parent, level=TERRITORIAL_LEVELS[row.kind], path="")


def _bulk_create_units(units: list[Unit]) -> list[Unit]:
    """Insert in batches, then set each path from the primary key the database returned.

    The paths are written by one UPDATE per batch that reads the parent's path in SQL, which is
    much faster than `bulk_update` for thousands of communities."""
    created = Unit.objects.bulk_create(units, batch_size=BATCH_SIZE)
    own = Concat(Cast("pk", output_field=CharField()), Value("/"), output_field=CharField())
    parent_path = Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    ids = [unit.pk for unit in created]
    for start in range(0, len(ids), BATCH_SIZE):
        batch = Unit.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
        batch.filter(parent__isnull=True).update(path=Concat(Value("/"), own, output_field=CharField()))
        batch.filter(parent__isnull=False).update(path=Concat(parent_path, own, output_field=CharField()))
    for unit in created:
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
    return created


def _units_apply(rows: list[DivisionRow]) -> UnitLoadResult:
    """Create or update the units of `rows` level by level, so that parents exist first. New
    units are inserted in bulk; a changed one goes through `unit_upsert_by_code`, which also
    rewrites the paths below it."""
    codes = set(iter_codes(rows))
    known = _units_by_code(codes)
    result = UnitLoadResult()
    seen: set[str] = set()
    for _, group in groupby(
        sorted(rows, key=lambda r: TERRITORIAL_LEVELS[r.kind]), lambda r: TERRITORIAL_LEVELS[r.kind]
    ):
        pending: list[Unit] = []
        moved = False
        for row in group:
            if row.code in seen:
                raise ValidationFailed(f"区划代码 {row.code} 在文件中重复出现")
            seen.add(row.code)
            parent = _parent_for(row, known)
            current = known.get(row.code)
            if current is None:
                pending.append(_new_unit(row, parent))
                result.add_created(row.kind)
            elif _differs(current, row, parent):
                known[row.code], _ = unit_upsert_by_code(code=row.code, name=row.name, kind=row.kind, parent=parent)
                result.updated += 1
                moved = True
            else:
                result.unchanged += 1
        known.update((u.code, u) for u in _bulk_create_units(pending))
        if moved:
            known = _units_by_code(codes)  # a move rewrote the paths below it in the database
    return result


@transaction.atomic
def units_seed_beijing() -> UnitLoadResult:
    """Beijing, its 16 districts and 343 townships from the project's seed; safe to run again."""
    data = json.loads(BEIJING_SEED.read_text(encoding="utf-8"))
    rows = [DivisionRow(r["code"], r["name"], r["kind"], r["parent"]) for r in data["units"]]
    return _units_apply(rows)


def units_load_divisions(
    *,
    root_code: str,
    provinces_csv: Path | str | None = None,
    cities_csv: Path | str | None = None,
    areas_csv: Path | str | None = None,
    streets_csv: Path | str | None = None,
    villages_csv: Path | str | None = None,
) -> UnitLoadResult:
    """Load the subtree of a province (2 digits), city (4) or district (6) from the national
    code tables. Idempotent; all or nothing."""

    def path(value: Path | str | None) -> Path | None:
        return Path(value) if value else None

    files = DivisionFiles(
        provinces=path(provinces_csv),
        cities=path(cities_csv),
        areas=path(areas_csv),
        streets=path(streets_csv),
        villages=path(villages_csv),
    )
    rows = division_rows(files=files, root_code=root_code)
    with transaction.atomic():
        return _units_apply(rows)
