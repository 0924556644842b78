"""Responsibility (remit) check: is a ticket likely outside what the center (or the unit it was
sent to) is responsible for? Two sources, each giving its reason:

1. The responsibility list (权责清单, knowledge library "responsibility"): an entry matching the
   appeal whose responsible unit lies outside the center's organisation tree (a body recorded as a
   unit of its own, not under the city the center belongs to), or that is tagged as not the
   center's (OUT_OF_REMIT_TAGS). An entry matches when most words of its title occur in the ticket.
2. The history: earlier tickets about the same matter (the key words of selectors_similar) that
   were returned (RETURN_APPROVED by the center after a unit's request, RETURNED_TO_CITY to the
   city platform), with the reasons given then and where they went afterwards.

The verdict is advice for a person: a suggestion to request a return (退单). Nothing here changes
a ticket.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models.functions import Left
from django.utils import timezone

from jiesu.intel.text import normalize, words
from jiesu.knowledge.choices import Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search.query import knowledge_search
from jiesu.knowledge.suggestions import ticket_query_text
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_similar import key_words

OUT_OF_REMIT_TAGS = frozenset({"非本中心职责", "非本中心", "中心外", "外部单位", "退回上级平台"})
RETURN_KINDS = (EventKind.RETURN_APPROVED, EventKind.RETURNED_TO_CITY)
# While at the center or waiting for a decision on a return, the suggestion can still be acted on.
REMIT_STATUSES = frozenset(
    {TicketStatus.RECEIVED, TicketStatus.ACKNOWLEDGED, TicketStatus.TRIAGED, TicketStatus.RETURN_REQUESTED}
)
WINDOW = timedelta(days=730)
RETURN_SCAN = 2_000  # newest return events looked at: the history is bounded whatever its size
TEXT_PREFIX = 200
ENTRIES = 5
MIN_ENTRY_COVERAGE = 0.6  # of the entry title's words found in the ticket
MIN_COVERAGE = 0.5  # of the ticket's key words' weight found in an earlier ticket
MIN_RETURNS = 2  # similar returned tickets needed when no entry speaks
CITY_OWNER = "上级平台（市级12345）"


@dataclass(frozen=True)
class RemitEntry:
    entry_id: int
    title: str
    unit_id: int | None
    unit_name: str
    legal_basis: str


@dataclass(frozen=True)
class RemitReturn:
    number: str
    title: str
    kind: str
    kind_label: str
    reason: str
    occurred_at: datetime
    returned_by: str  # the unit that asked for the return, when known
    owner: str  # where the matter went afterwards


@dataclass
class RemitVerdict:
    entries: list[RemitEntry] = field(default_factory=list)
    returns: list[RemitReturn] = field(default_factory=list)
    likely_owner: str = ""
    likely_owner_unit_id: int | None = None
    outside_center: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def returned_tickets(self) -> int:
        return len({r.number for r in self.returns})

    @property
    def suggestion(self) -> str:
        owner = f"，可能的责任主体：{self.likely_owner}" if self.likely_owner else ""
        if self.outside_center:
            return f"该诉求可能不属于本中心职责范围，建议申请退单（退回上级平台）{owner}。"
        return f"该诉求可能不属于当前承办范围，建议申请退单后重新派单{owner}。"


def _center_roots() -> set[int]:
    paths = Unit.objects.filter(kind=UnitKind.CENTER).values_list("path", flat=True)
    return {int(p.strip("/").split("/")[0]) for p in paths if p.strip("/")}


def _outside(entry: KnowledgeEntry, roots: set[int]) -> bool:
    if OUT_OF_REMIT_TAGS & {str(t).strip() for t in entry.tags or []}:
        return True
    unit = entry.unit
    return unit is not None and bool(roots) and not (set(unit.ancestor_ids()[:1]) & roots)


def _entry_covered(title: str, text: str) -> bool:
    needed = [w for w in words(title) if len(w) >= 2]
    if not needed:
        return False
    return sum(w in text for w in needed) / len(needed) >= MIN_ENTRY_COVERAGE


def remit_entries(ticket: Ticket) -> list[RemitEntry]:
    """Responsibility-list entries matching `ticket` that say the matter is not the center's."""
    found = knowledge_search(
        ticket_query_text(ticket),
        viewer=None,
        libraries=[Library.RESPONSIBILITY],
        valid_on=timezone.localdate(),
        limit=ENTRIES,
    ).hits
    text = normalize(f"{ticket.title}{ticket.content}")
    roots = _center_roots()
    return [
        RemitEntry(
            entry_id=hit.entry.pk,
            title=hit.entry.title,
            unit_id=hit.entry.unit_id,
            unit_name=hit.entry.unit.name if hit.entry.unit else "",
            legal_basis=hit.entry.legal_basis,
        )
        for hit in found
        if _outside(hit.entry, roots) and _entry_covered(hit.entry.title, text)
    ]


def _covers(weights: dict[str, float], text: str) -> bool:
    covered = [w for w in weights if w in text]
    if len(covered) < min(2, len(weights)):
        return False
    return sum(weights[w] for w in covered) / sum(weights.values()) >= MIN_COVERAGE


def _returned_candidates(ticket: Ticket, viewer: User | None) -> list[tuple[int, str, str, str]]:
    since = timezone.now() - WINDOW
    recent = (
        TicketEvent.objects.filter(kind__in=RETURN_KINDS, occurred_at__gte=since)
        .exclude(ticket_id=ticket.pk)
        .order_by("-occurred_at", "-id")
        .values_list("ticket_id", flat=True)[:RETURN_SCAN]
    )
    ids = list(dict.fromkeys(recent))
    tickets = Ticket.objects.all() if viewer is None else tickets_visible_to(viewer=viewer)
    rows = tickets.filter(pk__in=ids).annotate(opening=Left("content", TEXT_PREFIX))
    return list(rows.values_list("pk", "number", "title", "opening"))


def _unit_names(ids: set[int]) -> dict[int, str]:
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def _owner_after(event: TicketEvent, lead: int | None, asked_by: int | None, names: dict[int, str]) -> str:
    """Where the matter went after the return: the city platform, or the unit leading it now."""
    if event.kind == EventKind.RETURNED_TO_CITY:
        return CITY_OWNER
    return names.get(lead, "") if lead is not None and lead != asked_by else ""


def _returns_of(matched: dict[int, tuple[str, str]]) -> list[RemitReturn]:
    """Every return of the matched tickets with the reason then given, newest first."""
    kinds = [EventKind.RETURN_REQUESTED, *RETURN_KINDS]
    events = list(
        TicketEvent.objects.filter(ticket_id__in=list(matched), kind__in=kinds).order_by(
            "ticket_id", "occurred_at", "id"
        )
    )
    leads = dict(Ticket.objects.filter(pk__in=list(matched)).values_list("pk", "lead_unit_id"))
    names = _unit_names({e.actor_unit_id for e in events if e.actor_unit_id} | {u for u in leads.values() if u})
    found: list[RemitReturn] = []
    request: TicketEvent | None = None
    for event in events:
        if event.kind == EventKind.RETURN_REQUESTED:
            request = event
            continue
        asked = request if request is not None and request.ticket_id == event.ticket_id else None
        asked_by = asked.actor_unit_id if asked else None
        number, title = matched[event.ticket_id]
        found.append(
            RemitReturn(
                number=number,
                title=title,
                kind=event.kind,
                kind_label=str(EventKind(event.kind).label),
                reason=event.reason or (asked.reason if asked else ""),
                occurred_at=event.occurred_at,
                returned_by=names.get(asked_by, "") if asked_by else "",
                owner=_owner_after(event, leads.get(event.ticket_id), asked_by, names),
            )
        )
    found.sort(key=lambda r: r.occurred_at, reverse=True)
    return found


def remit_returns_similar(*, ticket: Ticket, viewer: User | None = None) -> list[RemitReturn]:
    """Returns of earlier tickets about the same matter as `ticket` (within the viewer's scope)."""
    keys = key_words(ticket.title, ticket.content)
    if not keys:
        return []
    weights = {w: 1.0 / (rank + 1) ** 0.5 for rank, w in enumerate(keys)}
    matched = {
        pk: (number, title)
        for pk, number, title, opening in _returned_candidates(ticket, viewer)
        if _covers(weights, normalize(f"{title}{opening}"))
    }
    return _returns_of(matched) if matched else []


def _owner(verdict: RemitVerdict) -> None:
    if verdict.entries:
        first = verdict.entries[0]
        verdict.likely_owner, verdict.likely_owner_unit_id = first.unit_name, first.unit_id
        return
    owners = Counter(r.owner for r in verdict.returns if r.owner)
    if owners:
        verdict.likely_owner = owners.most_common(1)[0][0]


def remit_check(ticket: Ticket, *, viewer: User | None = None) -> RemitVerdict | None:
    """The verdict for `ticket`, or None when nothing suggests it is outside the remit."""
    verdict = RemitVerdict(entries=remit_entries(ticket), returns=remit_returns_similar(ticket=ticket, viewer=viewer))
    if not verdict.entries and verdict.returned_tickets < MIN_RETURNS:
        return None
    for entry in verdict.entries:
        verdict.reasons.append(f"权责清单「{entry.title}」：责任单位为{entry.unit_name or '其他主体'}，不属于本中心")
    if verdict.returns:
        numbers = "、".join(dict.fromkeys(r.number for r in verdict.returns[:5]))
        verdict.reasons.append(f"{verdict.returned_tickets} 件相似的历史工单曾被退单（{numbers}）")
    to_city = sum(r.kind == EventKind.RETURNED_TO_CITY for r in verdict.returns)
    verdict.outside_center = bool(verdict.entries) or to_city * 2 >= len(verdict.returns) > 0
    _owner(verdict)
    return verdict
