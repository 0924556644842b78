"""Generating report packs, e-mailing them, and the worker's scheduled run (docs/reports.md).

A generation reads the facts once, renders the .docx, the .xlsx ledger and the material zip, writes
them into a fresh `v<N>` folder and records the version in one transaction with its audit entry;
the files are removed again if that transaction fails. Sending never runs inside a transaction: the
SMTP conversation may take seconds and its outcome is recorded afterwards, sent or failed.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from jiesu.notify.choices import DeliveryChannel
from jiesu.notify.selectors import channel_config_for
from jiesu.notify.senders import OutgoingMessage, SendFailed, send_email
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit, User
from jiesu.orgs.selectors import users_with_role
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.docx_render import report_docx
from jiesu.reports.facts import ReportFacts, family_check, report_facts
from jiesu.reports.ledger import ledger_rows
from jiesu.reports.models import DeliveryResult, GeneratedReport, ReportDelivery, ReportSchedule, report_root
from jiesu.reports.narrative import report_narrative
from jiesu.reports.package import report_package
from jiesu.reports.periods import ReportPeriod
from jiesu.reports.permissions import MAKE_DENIED, can_make_reports
from jiesu.reports.schedules import periods_due_now
from jiesu.reports.selectors import report_latest, template_in_force
from jiesu.reports.xlsx_render import report_xlsx

log = logging.getLogger("jiesu.reports")

Progress = Callable[[int, int], None]
GENERATE_ACTION = "reports.generate"
SEND_ACTION = "reports.send"
STEPS = 6
MAX_SEND_ATTEMPTS = 5  # failed e-mails per period before the worker gives up (the ledger shows it)
VERSION_TRIES = 20
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class RenderedPack:
    docx: bytes
    xlsx: bytes
    zip: bytes
    summary: dict[str, Any]
    template_id: int | None


def report_render(
    *,
    period: ReportPeriod,
    family: str,
    topic: str = "",
    district: Unit | None = None,
    scheme_code: str | None = None,
    progress: Progress | None = None,
) -> RenderedPack:
    """The three files of a pack, in memory; nothing is stored. `topic` and `district` narrow a
    special report's numbers, ledger and material alike."""
    step = progress or (lambda done, total: None)
    step(0, STEPS)
    facts = report_facts(period=period, family=family, topic=topic, district=district, scheme_code=scheme_code)
    step(1, STEPS)
    narrative = report_narrative(facts)
    step(2, STEPS)
    template = template_in_force(kind=period.kind, family=family, on=timezone.localdate())
    docx = report_docx(facts, narrative, template=bytes(template.content) if template else None)
    step(3, STEPS)
    xlsx = report_xlsx(facts, ledger=ledger_rows(period, family=family, topic=topic, district=district))
    step(4, STEPS)
    package = report_package(docx=docx, xlsx=xlsx, period=period, facts=facts, district=district)
    step(5, STEPS)
    summary = _summary(facts, narrative)
    return RenderedPack(docx, xlsx, package, summary, template.pk if template else None)


def _summary(facts: ReportFacts, narrative: list[str]) -> dict[str, Any]:
    """What the ledger, the e-mail and the pages show without opening the files."""
    return {
        "received": facts.received,
        "received_previous": facts.received_previous,
        "change_previous_pct": facts.change_previous_pct,
        "closed": facts.closed,
        "overdue": facts.overdue,
        "returned": facts.returned,
        "repeat": facts.repeat,
        "scheme": facts.scheme_code,
        "rates": [
            {"code": r.code, "name": r.name, "value": r.value, "target": r.target, "met": r.met} for r in facts.rates
        ],
        "narrative": narrative[:3],
    }


def _folder(family: str, period: ReportPeriod, version: int) -> Path:
    base = report_root() if family == ReportFamily.HOTLINE else report_root() / family
    return base / period.kind / period.key / f"v{version}"


def _claim_folder(family: str, period: ReportPeriod) -> tuple[int, Path]:
    """The next version number and its new, empty folder. Creating the folder exclusively is what
    reserves the number, so two concurrent generations never share one."""
    latest = (
        GeneratedReport.objects.filter(family=family, kind=period.kind, period_key=period.key).aggregate(
            v=Max("version")
        )["v"]
        or 0
    )
    for version in range(latest + 1, latest + 1 + VERSION_TRIES):
        folder = _folder(family, period, version)
        folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # taken by a concurrent run, or left by a crash: never overwrite
        return version, folder
    raise Conflict("报告版本目录冲突，请稍后重试")


def _write(folder: Path, name: str, content: bytes) -> tuple[str, str, int]:
    path = folder / name
    path.write_bytes(content)
    return str(path.relative_to(report_root())), hashlib.sha256(content).hexdigest(), len(content)


def report_generate(
    *,
    kind: str,
    period: ReportPeriod,
    family: str = ReportFamily.HOTLINE,
    topic: str = "",
    district: Unit | None = None,
    actor: User | None = None,
    progress: Progress | None = None,
    scheme_code: str | None = None,
) -> GeneratedReport:
    """Generate and store a new version of the period's pack; audited, success or failure.
    `actor` None is the worker or an operator's command. `district` (an area: the unit and the
    units under it) narrows a special report only."""
    if actor is not None and not can_make_reports(actor):
        raise PermissionDenied(MAKE_DENIED)
    topic = (topic or "").strip()
    started = time.perf_counter()
    detail: dict[str, Any] = {"kind": kind, "family": family, "period": period.key, "topic": topic}
    if district is not None:
        detail["district"] = _area_ref(district)
    try:
        family = family_check(family)
        if kind.replace("-", "_") != period.kind:
            raise ValidationFailed(f"报告类型“{kind}”与报告期“{period.key}”不一致")
        if district is not None and period.kind != ReportKind.SPECIAL:
            raise ValidationFailed("只有专报可以按区域生成", field="district")
        pack = report_render(
            period=period, family=family, topic=topic, district=district, scheme_code=scheme_code, progress=progress
        )
        report = _store(
            period=period, family=family, topic=topic, district=district, actor=actor, pack=pack, started=started
        )
    except Exception as exc:
        audit_record(
            actor=actor, action=GENERATE_ACTION, result=AuditResult.FAILURE, detail={**detail, "error": _reason(exc)}
        )
        raise
    if progress:
        progress(STEPS, STEPS)
    return report


def _area_ref(district: Unit) -> str:
    """The area in the audit log: its code, stable across databases (its id when it has none)."""
    return district.code or str(district.pk)


def _reason(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"


def _store(
    *,
    period: ReportPeriod,
    family: str,
    topic: str,
    district: Unit | None,
    actor: User | None,
    pack: RenderedPack,
    started: float,
) -> GeneratedReport:
    version, folder = _claim_folder(family, period)
    try:
        docx_path, docx_sha, docx_size = _write(folder, "report.docx", pack.docx)
        xlsx_path, xlsx_sha, xlsx_size = _write(folder, "ledger.xlsx", pack.xlsx)
        zip_path, zip_sha, zip_size = _write(folder, "package.zip", pack.zip)
        with transaction.atomic():
            report = GeneratedReport.objects.create(
                kind=period.kind,
                family=family,
                period_key=period.key,
                period_label=period.label,
                period_start=period.start,
                period_end=period.end,
                topic=topic,
                district=district,
                version=version,
                docx_path=docx_path,
                docx_sha256=docx_sha,
                docx_size=docx_size,
                xlsx_path=xlsx_path,
                xlsx_sha256=xlsx_sha,
                xlsx_size=xlsx_size,
                zip_path=zip_path,
                zip_sha256=zip_sha,
                zip_size=zip_size,
                template_id=pack.template_id,
                summary=pack.summary,
                generated_by=actor,
                seconds=round(time.perf_counter() - started, 3),
            )
            audit_record(
                actor=actor,
                action=GENERATE_ACTION,
                obj=report,
                detail={
                    "kind": report.kind,
                    "family": family,
                    "period": period.key,
                    "topic": topic,
                    "district": _area_ref(district) if district is not None else "",
                    "version": version,
                    "docx_sha256": docx_sha,
                    "xlsx_sha256": xlsx_sha,
                    "zip_sha256": zip_sha,
                },
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return report


def recipients_clean(recipients: list[str] | str) -> list[str]:
    """Distinct, valid e-mail addresses (a comma/semicolon/space-separated string is split)."""
    if isinstance(recipients, str):
        recipients = recipients.replace(";", ",").replace("；", ",").replace("，", ",").replace(" ", ",").split(",")
    cleaned = list(dict.fromkeys(a.strip() for a in recipients if a and a.strip()))
    if not cleaned:
        raise ValidationFailed("请填写至少一个收件人邮箱", field="recipients")
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationFailed(f"邮箱地址无效：{address}", field="recipients") from None
    return cleaned


def report_attachments(report: GeneratedReport) -> tuple[tuple[str, bytes, str], ...]:
    """The pack's files, checked against the hashes recorded when they were generated."""
    files = []
    expected = {"docx": report.docx_sha256, "xlsx": report.xlsx_sha256, "zip": report.zip_sha256}
    for fmt, sha in expected.items():
        try:
            content = report.file_path(fmt).read_bytes()
        except OSError:
            raise Conflict(f"报告文件缺失：{report.download_name(fmt)}") from None
        if hashlib.sha256(content).hexdigest() != sha:
            raise Conflict(f"报告文件与生成时不一致，拒绝发送：{report.download_name(fmt)}")
        files.append((report.download_name(fmt), content, MIME[fmt]))
    return tuple(files)


def _message(report: GeneratedReport, recipients: list[str]) -> OutgoingMessage:
    subject = f"（{report.subject}）" if report.subject else ""
    title = f"{report.get_family_display()}{report.get_kind_display()}：{report.period_label}{subject}"
    lead = (report.summary.get("narrative") or [""])[0]
    body = "\n\n".join(
        p
        for p in (
            "您好：",
            f"附件为{title}（第{report.version}版），含报告（Word）、台账（Excel）和素材包（zip）。",
            lead,
            "此邮件由接诉平台按报告计划自动发送，请勿直接回复。",
        )
        if p
    )
    return OutgoingMessage(
        address=",".join(recipients),
        subject=f"【{report.get_kind_display()}】{title}",
        body=body,
        attachments=report_attachments(report),
        message_id=make_msgid(domain="jiesu.local"),
    )


def report_send(*, report: GeneratedReport, recipients: list[str] | str, actor: User | None = None) -> ReportDelivery:
    """E-mail the pack through the notify app's SMTP configuration; the delivery records the
    outcome either way (a failed send is returned, not raised, so it shows in the ledger)."""
    addresses = recipients_clean(recipients)
    config = channel_config_for(DeliveryChannel.EMAIL)
    if config is None or not config.is_enabled:
        raise Conflict("尚未配置或未启用邮件通道（通知通道配置），无法发送报告")
    message = _message(report, addresses)
    attempted = timezone.now()
    try:
        response, error = send_email(config, message), ""
    except SendFailed as exc:
        response, error = "", str(exc)
    with transaction.atomic():
        delivery = ReportDelivery.objects.create(
            report=report,
            recipients=addresses,
            attempted_at=attempted,
            sent_at=timezone.now() if not error else None,
            result=DeliveryResult.FAILED if error else DeliveryResult.SENT,
            response=response,
            error=error,
            message_id=message.message_id,
            sent_by=actor,
        )
        audit_record(
            actor=actor,
            action=SEND_ACTION,
            obj=delivery,
            result=AuditResult.FAILURE if error else AuditResult.SUCCESS,
            detail={"report": report.pk, "version": report.version, "recipients": addresses, "error": error},
        )
    return delivery


def reports_due_run(now: datetime) -> list[GeneratedReport]:
    """The worker: for each enabled schedule whose moment has come for the last finished period,
    generate the pack if the period has none yet, then e-mail it if no version was sent yet; a
    few earlier periods since the schedule began are made up the same way (the worker was down)."""
    local = timezone.localtime(now)
    generated = []
    for schedule in ReportSchedule.objects.filter(enabled=True).order_by("family", "kind"):
        if schedule.family != ReportFamily.HOTLINE:
            continue  # the public line has no data yet; its schedules wait for the calls app
        since = timezone.localdate(schedule.created_at)
        for period in periods_due_now(schedule.rule, local, scheduled_since=since):
            try:
                report = report_latest(family=schedule.family, kind=schedule.kind, period_key=period.key)
                if report is None:
                    report = report_generate(
                        kind=schedule.kind,
                        period=period,
                        family=schedule.family,
                        scheme_code=schedule.scheme_code or None,
                    )
                    generated.append(report)
                _send_if_owed(schedule, report)
            except Exception:  # one broken schedule must not stop the others; retried next run
                log.exception("scheduled report %s %s failed", schedule.kind, period.key)
    return generated


def _send_if_owed(schedule: ReportSchedule, report: GeneratedReport) -> None:
    if not schedule.recipients:
        return
    versions = ReportDelivery.objects.filter(
        report__family=report.family, report__kind=report.kind, report__period_key=report.period_key
    )
    if versions.filter(result=DeliveryResult.SENT).exists():
        return
    if versions.filter(result=DeliveryResult.FAILED).count() >= MAX_SEND_ATTEMPTS:
        return
    try:
        report_send(report=report, recipients=list(schedule.recipients))
    except Conflict as exc:
        # No usable e-mail channel (or a changed file): nothing was attempted, so no delivery row;
        # the people who can fix it hear of it once per version, and the next run tries again.
        notification_enqueue(
            recipients=list(users_with_role(roles=[Role.SYSTEM_ADMIN, Role.ANALYST])),
            subject=f"报告未能发送：{report.period_label}{report.get_kind_display()}",
            body=f"{exc.message}。报告已生成（第{report.version}版），请处理后等待下次自动发送，或用命令手动发送。",
            dedupe_key=f"report-unsent:{report.pk}",
        )
        raise
