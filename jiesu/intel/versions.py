"""Rule data versioned by effective date (the screening rules, the burst rules): versions follow
each other without gaps or overlaps. A new version starts after the latest one, which then ends the
day before (`valid_to`, inclusive); history is never rewritten, so a past day is always judged by
the rules in force on it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import Q

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, ValidationFailed
from jiesu.orgs.models import User

VersionT = TypeVar("VersionT", bound=models.Model)


def version_in_force(model: type[VersionT], on: date) -> VersionT | None:
    manager: Any = model._default_manager
    found: VersionT | None = (
        manager.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-id")
        .first()
    )
    return found


def version_latest_before(model: type[VersionT], valid_from: date) -> VersionT | None:
    """The latest version, locked until the caller's transaction ends; Conflict unless
    `valid_from` comes after its start."""
    manager: Any = model._default_manager
    latest: Any = manager.select_for_update().order_by("-valid_from", "-id").first()
    if latest is not None and valid_from <= latest.valid_from:
        raise Conflict(f"新版本的生效日期须晚于当前最新版本（{latest.valid_from} 起）")
    return latest  # type: ignore[no-any-return]


def version_close(latest: models.Model | None, valid_from: date) -> None:
    """End `latest` the day before the next version starts."""
    if latest is None:
        return
    latest.valid_to = valid_from - timedelta(days=1)  # type: ignore[attr-defined]
    latest.save(update_fields=["valid_to", "updated_at"])


@transaction.atomic
def version_publish(
    model: type[VersionT],
    *,
    valid_from: date,
    actor: User | None,
    values: dict[str, Any],
    names: Collection[str],
    read: Callable[[date], Any],
    validate: Callable[[Any], None],
    action: str,
) -> VersionT:
    """A new version of `model` from `valid_from`. `values` not given (None) are kept from the
    rules in force then (`read`: a frozen dataclass with `values()`); `validate` refuses the
    result. The code is the model's prefix and the date, e.g. bursts-20260301; audited as `action`."""
    unknown = set(values) - set(names)
    if unknown:
        raise ValidationFailed(f"未知的规则项：{', '.join(sorted(unknown))}")
    latest = version_latest_before(model, valid_from)
    given = {k: v for k, v in values.items() if v is not None}
    rules = replace(read(valid_from), **given)
    validate(rules)
    version_close(latest, valid_from)
    prefix = getattr(model, "CODE_PREFIX", model.__name__.lower())
    manager: Any = model._default_manager
    row: VersionT = manager.create(
        code=f"{prefix}-{valid_from:%Y%m%d}", valid_from=valid_from, created_by=actor, **rules.values()
    )
    audit_record(actor=actor, action=action, obj=row, detail={"valid_from": str(valid_from), **given})
    return row
