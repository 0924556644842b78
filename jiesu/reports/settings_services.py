"""Writing the reports' settings: the schedules and the customer's Word templates. Each write is
audited in the same transaction; a template is tried on an empty period before it is kept, so a
broken tag is refused at upload rather than failing every scheduled run later."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import PermissionDenied
from jiesu.orgs.models import User
from jiesu.reports.docx_render import report_docx
from jiesu.reports.facts import report_facts
from jiesu.reports.models import ReportSchedule, ReportTemplate
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import period_special
from jiesu.reports.permissions import MAKE_DENIED, can_make_reports

SCHEDULE_ACTION = "reports.schedule_save"
TEMPLATE_ACTION = "reports.template_upload"
TEMPLATE_OFF_ACTION = "reports.template_deactivate"


def _require_maker(actor: User) -> None:
    if not can_make_reports(actor):
        raise PermissionDenied(MAKE_DENIED)


def report_template_check(content: bytes) -> None:
    """Render `content` once with yesterday's data (one day: cheap, and a day the assessment
    scheme is in force); raises TemplateBroken (Chinese) if it fails."""
    yesterday = timezone.localdate() - timedelta(days=1)
    period = period_special(yesterday, yesterday)
    facts = report_facts(period=period)
    report_docx(facts, report_narrative(facts), template=content)


@transaction.atomic
def report_schedule_save(
    *, kind: str, family: str, fields: dict[str, Any], actor: User, source_address: str | None = None
) -> ReportSchedule:
    _require_maker(actor)
    schedule, created = ReportSchedule.objects.update_or_create(kind=kind, family=family, defaults=fields)
    audit_record(
        actor=actor,
        action=SCHEDULE_ACTION,
        obj=schedule,
        source_address=source_address,
        detail={"kind": kind, "family": family, "created": created, **fields},
    )
    return schedule


@transaction.atomic
def report_template_upload(
    *, kind: str, family: str, file_name: str, content: bytes, actor: User, source_address: str | None = None
) -> ReportTemplate:
    _require_maker(actor)
    report_template_check(content)
    template = ReportTemplate.objects.create(
        kind=kind,
        family=family,
        name=(file_name or "模板").rsplit(".", 1)[0][:120],
        file_name=(file_name or "template.docx")[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action=TEMPLATE_ACTION,
        obj=template,
        source_address=source_address,
        detail={"kind": kind, "family": family, "sha256": template.sha256},
    )
    return template


@transaction.atomic
def report_template_deactivate(*, template_id: int, actor: User, source_address: str | None = None) -> bool:
    """False when there is no such active template."""
    _require_maker(actor)
    changed = ReportTemplate.objects.filter(pk=template_id, is_active=True).update(
        is_active=False, updated_at=timezone.now()
    )
    if changed:
        audit_record(
            actor=actor,
            action=TEMPLATE_OFF_ACTION,
            obj=ReportTemplate.objects.get(pk=template_id),
            source_address=source_address,
        )
    return bool(changed)
