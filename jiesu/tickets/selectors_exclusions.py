"""Reads for exclusion requests (剔除) and unreasonable-appeal designations (不合理诉求认定).

The reason list is versioned by date; a request is checked against the version in force on the
day it is made. Request lists follow the ticket data scope of `tickets_visible_to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet

from jiesu.core.errors import NotFound
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind, ExclusionDecision, ExclusionKind
from jiesu.tickets.models import Attachment, ExclusionReason, ExclusionRequest
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_search import moment_range
from jiesu.tickets.workflow import TRANSITIONS


def _in_force(on: date) -> Q:
    # effective_to is exclusive: a version retired on day D no longer applies on D.
    return Q(effective_from__lte=on) & (Q(effective_to__isnull=True) | Q(effective_to__gt=on))


def exclusion_reason_in_force(*, kind: str, code: str, on: date) -> ExclusionReason | None:
    """The version of `code` that applies on `on`; the latest start wins if versions overlap."""
    return (
        ExclusionReason.objects.filter(_in_force(on), kind=kind, code=code).order_by("-effective_from", "-id").first()
    )


def exclusion_reasons_in_force(*, on: date, kind: str | None = None) -> list[ExclusionReason]:
    """The list as it stands on `on`: one row per (kind, code), in display order."""
    qs = ExclusionReason.objects.filter(_in_force(on))
    if kind:
        qs = qs.filter(kind=kind)
    latest: dict[tuple[str, str], ExclusionReason] = {}
    for row in qs.order_by("kind", "code", "-effective_from", "-id"):
        latest.setdefault((row.kind, row.code), row)
    return sorted(latest.values(), key=lambda r: (r.kind, r.position, r.code))


def exclusion_reasons_history(*, kind: str | None = None) -> QuerySet[ExclusionReason]:
    """Every version ever recorded, newest first within each code."""
    qs = ExclusionReason.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "code", "-effective_from", "-id")


def exclusion_reason_labels(*, kind: str | None = None) -> dict[str, str]:
    """code → label of its newest version. Without a kind, an exclusion label wins over an
    unreasonable one with the same code (the ticket column holds one code, most often an
    exclusion's)."""
    labels: dict[str, str] = {}
    rows = exclusion_reasons_history(kind=kind).values_list("kind", "code", "label")
    for _kind, code, label in sorted(rows, key=lambda r: r[0] != ExclusionKind.EXCLUSION):
        labels.setdefault(code, label)
    return labels


@dataclass(frozen=True)
class ExclusionRequestSearch:
    """The filters of the review queue and of the API list."""

    decision: str = ""
    kind: str = ""
    unit_id: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None  # inclusive


def exclusion_requests_may_view(user: User | None) -> bool:
    """Anyone who reads tickets sees the requests on the tickets of their scope."""
    return not user_scope(user).nothing


def exclusion_requests_may_decide(user: User | None) -> bool:
    """The roles of the decision rows of the workflow table, on the center side."""
    rule = TRANSITIONS[EventKind.EXCLUSION_APPROVED]
    return user is None or (user_scope(user).everything and user.has_role(*rule.roles))


def exclusion_requests_visible_to(*, viewer: User | None) -> QuerySet[ExclusionRequest]:
    """Requests on tickets the viewer may read (a unit sees its own, the center all)."""
    visible = tickets_visible_to(viewer=viewer).values("pk")
    return ExclusionRequest.objects.filter(ticket_id__in=visible)


def _with_details(qs: QuerySet[ExclusionRequest]) -> QuerySet[ExclusionRequest]:
    evidence = Prefetch(
        "request_event__attachments",
        queryset=Attachment.objects.select_related("uploaded_by").order_by("id"),
        to_attr="evidence_files",
    )
    return qs.select_related(
        "ticket", "ticket__lead_unit", "submitted_by", "submitted_by__unit", "reviewer", "request_event"
    ).prefetch_related(evidence)


def exclusion_requests_search(*, viewer: User | None, search: ExclusionRequestSearch) -> QuerySet[ExclusionRequest]:
    """Pending requests oldest first (the queue); decided ones newest decision first."""
    qs = exclusion_requests_visible_to(viewer=viewer)
    if search.decision:
        qs = qs.filter(decision=search.decision)
    if search.kind:
        qs = qs.filter(kind=search.kind)
    if search.unit_id is not None:
        qs = qs.filter(ticket__lead_unit_id=search.unit_id)
    qs = qs.filter(moment_range("submitted_at", search.submitted_from, search.submitted_to))
    if search.decision == ExclusionDecision.PENDING:
        qs = qs.order_by("submitted_at", "id")
    else:
        qs = qs.order_by("-submitted_at", "-id")
    return _with_details(qs)


def exclusion_request_get_for(*, viewer: User | None, pk: int) -> ExclusionRequest:
    found = _with_details(exclusion_requests_visible_to(viewer=viewer).filter(pk=pk)).first()
    if found is None:
        raise NotFound("申请不存在或您无权查看")
    return found


def exclusion_request_evidence(request: ExclusionRequest) -> list[Attachment]:
    """The evidence files: the attachments of the request event."""
    prefetched: list[Attachment] | None = getattr(request, "evidence_files", None)
    if prefetched is not None:
        return prefetched
    return list(Attachment.objects.filter(event_id=request.request_event_id).order_by("id"))
