"""The reason list of exclusions and unreasonable appeals, kept as dated versions.

A change never edits a row that a past request may have been checked against: it adds a version
starting on a later day (which ends the open version before it) or retires the code from a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, ExclusionKind
from jiesu.tickets.models import ExclusionReason

MANAGER_ROLES = (Role.SYSTEM_ADMIN, Role.SHIFT_LEAD)


def exclusion_reasons_can_manage(actor: User | None) -> bool:
    """System admins and shift leads of the center keep the list (not units: they apply by it)."""
    if actor is None:
        return True
    unit = actor.unit
    return actor.is_active and actor.has_role(*MANAGER_ROLES) and unit is not None and unit.kind == UnitKind.CENTER


def _ensure_can_manage(actor: User | None) -> None:
    if not exclusion_reasons_can_manage(actor):
        raise PermissionDenied("只有热线中心的系统管理员或班长可以维护剔除原因清单")


@dataclass(frozen=True)
class ExclusionReasonDraft:
    """One version of a reason as entered on the management page or through the API."""

    kind: str
    code: str
    label: str
    effective_from: date
    default_scope: str = AssessmentScope.EXCLUDED
    description: str = ""
    request_within_days: int | None = None
    evidence_required: bool = False
    position: int = 0


def _validate(draft: ExclusionReasonDraft) -> None:
    if draft.kind not in ExclusionKind.values:
        raise ValidationFailed("类别无效", field="kind")
    if not draft.code.strip() or not draft.label.strip():
        raise ValidationFailed("编码和名称不能为空", field="code")
    if draft.default_scope not in (AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY):
        raise ValidationFailed("查是后的考核范围必须是「不纳入考核」或「只考核响应率」", field="default_scope")
    if draft.request_within_days is not None and draft.request_within_days < 1:
        raise ValidationFailed("申请期限至少为 1 天", field="request_within_days")


@transaction.atomic
def exclusion_reason_add(*, actor: User | None, draft: ExclusionReasonDraft) -> ExclusionReason:
    """Add a version from `draft.effective_from`; the open version before it ends that day."""
    _ensure_can_manage(actor)
    _validate(draft)
    code = draft.code.strip()
    versions = ExclusionReason.objects.select_for_update().filter(kind=draft.kind, code=code)
    if versions.filter(effective_from__gte=draft.effective_from).exists():
        raise Conflict(
            f"「{code}」已有从 {draft.effective_from:%Y-%m-%d} 或更晚生效的版本，新版本的生效日期须晚于它",
            field="effective_from",
        )
    # Every earlier version still running on the new start day ends there.
    versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=draft.effective_from)).update(
        effective_to=draft.effective_from, updated_at=timezone.now()
    )
    reason = ExclusionReason.objects.create(
        kind=draft.kind,
        code=code,
        label=draft.label.strip(),
        description=draft.description.strip(),
        default_scope=draft.default_scope,
        request_within_days=draft.request_within_days,
        evidence_required=draft.evidence_required,
        position=draft.position,
        effective_from=draft.effective_from,
    )
    audit_record(
        actor=actor,
        action="exclusion_reason.add",
        obj=reason,
        detail={"kind": reason.kind, "code": code, "effective_from": draft.effective_from.isoformat()},
    )
    return reason


@transaction.atomic
def exclusion_reason_retire(*, actor: User | None, reason: ExclusionReason, effective_to: date) -> ExclusionReason:
    """Stop `reason` applying from `effective_to` (exclusive: no longer valid on that day)."""
    _ensure_can_manage(actor)
    reason = ExclusionReason.objects.select_for_update().get(pk=reason.pk)
    if effective_to <= reason.effective_from:
        raise ValidationFailed(f"失效日期须晚于生效日期 {reason.effective_from:%Y-%m-%d}", field="effective_to")
    if reason.effective_to is not None and reason.effective_to <= effective_to:
        raise Conflict(f"该版本已于 {reason.effective_to:%Y-%m-%d} 失效", field="effective_to")
    reason.effective_to = effective_to
    reason.save(update_fields=["effective_to", "updated_at"])
    audit_record(
        actor=actor,
        action="exclusion_reason.retire",
        obj=reason,
        detail={"kind": reason.kind, "code": reason.code, "effective_to": effective_to.isoformat()},
    )
    return reason
