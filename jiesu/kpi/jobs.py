"""Worker job: warn the centre's leaders after a period (Yanta: a quarter) that scored below full
payment, and again, more urgently, when the period before it failed too (docs/kpi.md).

Each finished period is alerted at most once (PaymentAlert's unique row); the notification's
dedupe key makes a retry after a crash harmless as well.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiesu.kpi.choices import PaymentAlertKind
from jiesu.kpi.errors import UnknownScheme
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.models import AssessmentScheme, PaymentAlert
from jiesu.kpi.windows import AssessmentPeriod, period_containing, period_previous
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role

log = logging.getLogger("jiesu.kpi")


def _paying_schemes(on: date) -> list[str]:
    """Codes of the schemes in force on `on` whose version pays by score."""
    in_force = AssessmentScheme.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=on)
    )
    return sorted({s.code for s in in_force if s.payment_rule})


def _score_and_share(code: str, period: AssessmentPeriod) -> tuple[Decimal, Decimal] | None:
    """The whole hotline's score and payment share, or None when either is not applicable."""
    try:
        [group] = kpi_evaluate(scheme_code=code, start=period.start, end=period.end)["groups"]
    except UnknownScheme:
        return None
    if group["score"] is None or group["payment"] is None:
        return None
    return Decimal(str(group["score"])), Decimal(str(group["payment"]))


def _leaders() -> list[User]:
    return list(users_with_role(roles=[Role.LEADER], center=True))


def _alert(code: str, period: AssessmentPeriod, score: Decimal, share: Decimal, second: bool, now: datetime) -> bool:
    kind = PaymentAlertKind.SECOND_FAILED_QUARTER if second else PaymentAlertKind.FAILED_QUARTER
    percent = f"{share * 100:.0f}%"
    subject = f"{period.label}考核得分 {score} 分，未达全额付款，按付款规则应付 {percent}"
    if second:
        subject = f"连续两个考核期未达全额付款：{subject}"
    try:
        with transaction.atomic():
            PaymentAlert.objects.create(
                scheme_code=code,
                period_start=period.start,
                period_end=period.end,
                kind=kind,
                score=score,
                payment_share=share,
                created_at=now,
            )
            notification_enqueue(
                recipients=_leaders(),
                subject=subject,
                body=f"考核方案 {code}，考核期 {period.start} 至 {period.end}。",
                link=f"/kpi/?scheme={code}&from={period.start}&to={period.end}",
                urgent=second,
                dedupe_key=f"kpi-payment:{code}:{period.start.isoformat()}",
                now=now,
            )
    except IntegrityError:
        return False  # another worker alerted this period first
    return True


def payment_alerts_job(now: datetime) -> int:
    """Alert the last finished period of every paying scheme once; returns the alerts sent."""
    today = timezone.localdate(now)
    sent = 0
    for code in _paying_schemes(today):
        try:
            period = period_previous(code, period_containing(code, today))
        except UnknownScheme:
            continue
        if PaymentAlert.objects.filter(scheme_code=code, period_start=period.start).exists():
            continue
        result = _score_and_share(code, period)
        if result is None or result[1] >= 1:
            continue
        try:
            earlier = _score_and_share(code, period_previous(code, period))
        except UnknownScheme:
            earlier = None
        second = earlier is not None and earlier[1] < 1
        if _alert(code, period, result[0], result[1], second, now):
            log.info("payment alert %s %s score=%s", code, period.label, result[0])
            sent += 1
    return sent
