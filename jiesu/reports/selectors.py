"""Reads of report packs: templates in force, generated versions, and the delivery ledger that proves
each period's pack was sent within the contract's 7 days (52 / 12 / 4 / 2 / 1 a year)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.orgs.models import Unit
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.models import DeliveryResult, GeneratedReport, ReportDelivery, ReportTemplate
from jiesu.reports.periods import ReportPeriod, period_parse

# What the contract owes per year, and the order the ledger lists the kinds in.
CONTRACT_COUNTS = {
    ReportKind.WEEKLY.value: 52,
    ReportKind.MONTHLY.value: 12,
    ReportKind.QUARTERLY.value: 4,
    ReportKind.HALF_YEAR.value: 2,
    ReportKind.ANNUAL.value: 1,
}


class LedgerState:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"


LEDGER_STATE_LABELS = {
    LedgerState.ON_TIME: "按时报送",
    LedgerState.LATE: "逾期报送",
    LedgerState.MISSING: "未报送",
    LedgerState.PENDING: "未到期",
}


def template_in_force(*, kind: str, family: str, on: date) -> ReportTemplate | None:
    """The customer's newest active template for the kind whose effective date has come."""
    return (
        ReportTemplate.objects.filter(kind=kind, family=family, is_active=True, effective_from__lte=on)
        .order_by("-effective_from", "-uploaded_at", "-id")
        .first()
    )


def reports_list(*, family: str = ReportFamily.HOTLINE, kind: str | None = None) -> QuerySet[GeneratedReport]:
    qs = GeneratedReport.objects.filter(family=family).select_related("generated_by")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-generated_at", "-id")


def report_versions(
    *, family: str, kind: str, period_key: str, topic: str | None = None, district: Unit | None = None
) -> QuerySet[GeneratedReport]:
    """Newest first. Special reports on different topics or areas over the same dates share the
    version numbers of that window; `topic` (with `district`, None: all areas) keeps only one
    subject's."""
    versions = GeneratedReport.objects.filter(family=family, kind=kind, period_key=period_key)
    if topic is not None:
        versions = versions.filter(topic=topic, district=district)
    return versions.order_by("-version")


def report_latest(*, family: str, kind: str, period_key: str) -> GeneratedReport | None:
    return report_versions(family=family, kind=kind, period_key=period_key).first()


def periods_of_year(kind: str, year: int) -> list[ReportPeriod]:
    """The contract periods of `kind` that belong to `year` (ISO weeks of the ISO year)."""
    if kind == ReportKind.WEEKLY:
        weeks = date(year, 12, 28).isocalendar()[1]
        keys = [f"{year}-W{w:02d}" for w in range(1, weeks + 1)]
    elif kind == ReportKind.MONTHLY:
        keys = [f"{year}-{m:02d}" for m in range(1, 13)]
    elif kind == ReportKind.QUARTERLY:
        keys = [f"{year}-Q{q}" for q in range(1, 5)]
    elif kind == ReportKind.HALF_YEAR:
        keys = [f"{year}-H1", f"{year}-H2"]
    elif kind == ReportKind.ANNUAL:
        keys = [str(year)]
    else:
        raise ValueError(f"no contract periods for {kind}")
    return [period_parse(kind, key) for key in keys]


@dataclass(frozen=True)
class LedgerLine:
    """One period of the delivery ledger."""

    kind: str
    period: ReportPeriod
    state: str
    report_id: int | None = None
    version: int | None = None
    versions: int = 0
    generated_at: datetime | None = None
    sent_at: datetime | None = None
    recipients: list[str] = field(default_factory=list)
    failed_sends: int = 0

    @property
    def kind_label(self) -> str:
        return str(ReportKind(self.kind).label)

    @property
    def state_label(self) -> str:
        return LEDGER_STATE_LABELS[self.state]

    @property
    def due_on(self) -> date:
        return self.period.due_on


def _state(period: ReportPeriod, sent_at: datetime | None, today: date) -> str:
    if sent_at is not None:
        return LedgerState.ON_TIME if timezone.localdate(sent_at) <= period.due_on else LedgerState.LATE
    return LedgerState.MISSING if today > period.due_on else LedgerState.PENDING


def delivery_ledger(*, year: int, family: str = ReportFamily.HOTLINE, today: date | None = None) -> list[LedgerLine]:
    """Every contract period of `year`, by kind: latest version, first successful e-mail (any
    version) and whether it was within the 7-day limit. Two queries, whatever the year holds."""
    today = today or timezone.localdate()
    periods = [(kind, p) for kind in CONTRACT_COUNTS for p in periods_of_year(kind, year)]
    keys = {p.key for _, p in periods}
    latest: dict[tuple[str, str], GeneratedReport] = {}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for version in GeneratedReport.objects.filter(
        family=family, kind__in=list(CONTRACT_COUNTS), period_key__in=keys
    ).order_by("version"):
        latest[(version.kind, version.period_key)] = version
        counts[(version.kind, version.period_key)] += 1
    first_sent: dict[tuple[str, str], ReportDelivery] = {}
    failed: dict[tuple[str, str], int] = defaultdict(int)
    deliveries = (
        ReportDelivery.objects.filter(report__family=family, report__kind__in=list(CONTRACT_COUNTS))
        .filter(report__period_key__in=keys)
        .select_related("report")
        .order_by("attempted_at", "id")
    )
    for delivery in deliveries:
        key = (delivery.report.kind, delivery.report.period_key)
        if delivery.result == DeliveryResult.SENT:
            first_sent.setdefault(key, delivery)
        else:
            failed[key] += 1
    lines = []
    for kind, period in periods:
        key = (kind, period.key)
        report, sent = latest.get(key), first_sent.get(key)
        lines.append(
            LedgerLine(
                kind=kind,
                period=period,
                state=_state(period, sent.sent_at if sent else None, today),
                report_id=report.pk if report else None,
                version=report.version if report else None,
                versions=counts[key],
                generated_at=report.generated_at if report else None,
                sent_at=sent.sent_at if sent else None,
                recipients=list(sent.recipients) if sent else [],
                failed_sends=failed[key],
            )
        )
    return lines


@dataclass(frozen=True)
class ContractCount:
    kind: str
    owed: int  # per year, by the contract
    due_so_far: int  # periods whose limit has passed
    on_time: int
    late: int
    missing: int

    @property
    def kind_label(self) -> str:
        return str(ReportKind(self.kind).label)


def contract_counts(
    year: int, family: str = ReportFamily.HOTLINE, *, today: date | None = None, lines: list[LedgerLine] | None = None
) -> list[ContractCount]:
    """Per kind: delivered on time, late, missing and due so far against the 52/12/4/2/1 owed."""
    today = today or timezone.localdate()
    lines = lines if lines is not None else delivery_ledger(year=year, family=family, today=today)
    result = []
    for kind, owed in CONTRACT_COUNTS.items():
        mine = [line for line in lines if line.kind == kind]
        states = [line.state for line in mine]
        result.append(
            ContractCount(
                kind=kind,
                owed=owed,
                due_so_far=sum(1 for line in mine if line.period.due_on < today),
                on_time=states.count(LedgerState.ON_TIME),
                late=states.count(LedgerState.LATE),
                missing=states.count(LedgerState.MISSING),
            )
        )
    return result
