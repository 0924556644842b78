"""Reply check: which reply elements (六要素) a reply's text shows, with the evidence's spans.

Each element of a scheme carries cues (`ReplyElement.cues`): a cue is a literal word, matched
after the same normalisation on both sides (`jiesu.intel.text.normalize`: NFKC, lower case), or,
after the prefix `re:`, a Python regular expression matched against the normalised text (write
half-width punctuation and digits in patterns: NFKC has turned "：" into ":" and "２" into "2").
An element is found when at least one cue matches; spans are in characters of the original text,
so a page can highlight them. The check is advisory: the reviewer decides.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from jiesu.intel.text import normalize
from jiesu.orgs.models import User
from jiesu.orgs.permissions import is_center_user
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import ReplyElementScheme, Ticket, TicketEvent
from jiesu.tickets.services.reply_elements import (
    CUE_REGEX_PREFIX,
    DEFAULT_SCHEME_FILE,
    ElementSpec,
    reply_element_file_read,
    reply_element_scheme_at,
)

Span = tuple[int, int]


@dataclass(frozen=True)
class ElementRule:
    """One element with its compiled cues."""

    code: str
    label: str
    required: bool
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class ElementFinding:
    code: str
    label: str
    required: bool
    has_cues: bool
    spans: tuple[Span, ...]
    evidence: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.spans)


@dataclass(frozen=True)
class ReplyCheck:
    """The findings for one text under one scheme (`scheme_code` "" for the built-in default)."""

    scheme_code: str
    scheme_name: str
    elements: tuple[ElementFinding, ...]

    @property
    def found(self) -> list[str]:
        return [e.code for e in self.elements if e.found]

    @property
    def missing(self) -> list[str]:
        return [e.code for e in self.elements if not e.found]


@dataclass(frozen=True)
class Segment:
    """A run of the text covered by the same elements (none: plain text), for highlighting."""

    text: str
    codes: tuple[str, ...] = field(default=())


def cue_pattern(cue: str) -> re.Pattern[str]:
    """The compiled form of one cue (already validated when the scheme was loaded)."""
    if cue.startswith(CUE_REGEX_PREFIX):
        return re.compile(cue[len(CUE_REGEX_PREFIX) :])
    return re.compile(re.escape(normalize(cue)))


def element_rules_from(specs: Iterable[tuple[str, str, bool, Sequence[str]]]) -> tuple[ElementRule, ...]:
    return tuple(
        ElementRule(code, label, required, tuple(cue_pattern(c) for c in cues if c.strip()))
        for code, label, required, cues in specs
    )


def scheme_rules(scheme: ReplyElementScheme) -> tuple[ElementRule, ...]:
    return element_rules_from((e.code, e.label, e.required, e.cues or []) for e in scheme.elements.all())


def default_rules() -> tuple[str, str, tuple[ElementRule, ...]]:
    """The built-in default scheme (seed file), for checks outside any database scheme."""
    header, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)
    return str(header.get("code", "")), str(header.get("name", "")), rules_from_specs(specs)


def rules_from_specs(specs: Sequence[ElementSpec]) -> tuple[ElementRule, ...]:
    return element_rules_from((s.code, s.label, s.required, s.cues) for s in specs)


def normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character
    it came from (NFKC may turn one character into several, e.g. "㎡" → "m2")."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        pieces.append(piece)
        origin.extend([index] * len(piece))
    return "".join(pieces), origin


def _merged(spans: Iterable[Span]) -> tuple[Span, ...]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _spans(rule: ElementRule, normalized: str, origin: list[int]) -> tuple[Span, ...]:
    found: list[Span] = []
    for pattern in rule.patterns:
        for match in pattern.finditer(normalized):
            if match.end() > match.start():
                found.append((origin[match.start()], origin[match.end() - 1] + 1))
    return _merged(found)


def reply_text_check(text: str, rules: Sequence[ElementRule]) -> tuple[ElementFinding, ...]:
    """The findings of each element, in the scheme's order."""
    normalized, origin = normalized_with_offsets(text or "")
    findings = []
    for rule in rules:
        spans = _spans(rule, normalized, origin)
        findings.append(
            ElementFinding(
                code=rule.code,
                label=rule.label,
                required=rule.required,
                has_cues=bool(rule.patterns),
                spans=spans,
                evidence=tuple(text[s:e] for s, e in spans),
            )
        )
    return tuple(findings)


@dataclass(frozen=True)
class ReplyChecker:
    """A scheme's compiled rules, to check many texts (a CSV file) at the cost of one."""

    scheme_code: str
    scheme_name: str
    rules: tuple[ElementRule, ...]

    def check(self, text: str) -> ReplyCheck:
        return ReplyCheck(self.scheme_code, self.scheme_name, reply_text_check(text, self.rules))


def reply_checker_for(scheme: ReplyElementScheme | None) -> ReplyChecker:
    """The checker of `scheme`, or of the built-in default when there is none."""
    if scheme is None:
        code, name, rules = default_rules()
        return ReplyChecker("", name or code, rules)
    return ReplyChecker(scheme.code, scheme.name, scheme_rules(scheme))


def reply_checker_at(at: datetime) -> ReplyChecker:
    """The checker of the scheme in force at `at` (its cues), or of the built-in default."""
    return reply_checker_for(reply_element_scheme_at(at))


def reply_check_at(text: str, at: datetime) -> ReplyCheck:
    return reply_checker_at(at).check(text)


def highlight_segments(text: str, findings: Sequence[ElementFinding]) -> list[Segment]:
    """The text cut at every span boundary; each run names the elements whose evidence covers it."""
    bounds = {0, len(text)}
    for finding in findings:
        for start, end in finding.spans:
            bounds.update((start, end))
    cuts = sorted(bounds)
    segments: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        codes = tuple(f.code for f in findings if any(s <= start and end <= e for s, e in f.spans))
        if segments and segments[-1].codes == codes:
            segments[-1] = Segment(segments[-1].text + text[start:end], codes)
        else:
            segments.append(Segment(text[start:end], codes))
    return segments


# A reply under review (replied) or in the history of a closed ticket is what the check is for.
CHECKED_STATUSES = frozenset({TicketStatus.REPLIED, TicketStatus.CLOSED})
REPLY_EVENTS = (EventKind.REPLIED, EventKind.SELF_HANDLED)


@dataclass(frozen=True)
class TicketReplyCheck:
    """The latest reply of a ticket against the elements its unit ticked."""

    ticket: Ticket
    event: TicketEvent
    text: str
    check: ReplyCheck
    ticked: tuple[str, ...]
    segments: tuple[Segment, ...]

    @property
    def ticked_not_found(self) -> list[ElementFinding]:
        """Required elements the unit ticked whose cues are not in the text: what a reviewer asks about."""
        return [e for e in self.check.elements if e.required and e.code in self.ticked and e.has_cues and not e.found]

    @property
    def found_not_ticked(self) -> list[ElementFinding]:
        return [e for e in self.check.elements if e.found and e.code not in self.ticked]


def ticket_reply_event(ticket: Ticket) -> TicketEvent | None:
    return (
        ticket.events.filter(kind__in=REPLY_EVENTS).select_related("actor_unit").order_by("-occurred_at", "-id").first()
    )


def _scheme_of(event: TicketEvent) -> ReplyElementScheme | None:
    code = str(event.payload.get("element_scheme") or "")
    if code:
        scheme = ReplyElementScheme.objects.filter(code=code).prefetch_related("elements").first()
        if scheme is not None:
            return scheme
    return reply_element_scheme_at(event.occurred_at)


def ticket_reply_check(ticket: Ticket) -> TicketReplyCheck | None:
    """The check of the ticket's latest reply, under the scheme the reply was checked against
    (or the one in force when it was written); None while there is no reply text."""
    event = ticket_reply_event(ticket)
    if event is None or not ticket.reply_text:
        return None
    check = reply_checker_for(_scheme_of(event)).check(ticket.reply_text)
    ticked = tuple(str(c) for c in event.payload.get("elements") or [])
    segments = tuple(highlight_segments(ticket.reply_text, check.elements))
    return TicketReplyCheck(ticket, event, ticket.reply_text, check, ticked, segments)


def reply_check_visible(*, viewer: User, ticket: Ticket, event: TicketEvent | None) -> bool:
    """Center staff, and the unit that wrote the reply (the lead unit when the event names none);
    the caller has already checked that the viewer may see the ticket at all."""
    if ticket.status not in CHECKED_STATUSES:
        return False
    if is_center_user(viewer):
        return True
    replying_unit_id = (event.actor_unit_id if event is not None else None) or ticket.lead_unit_id
    return viewer.unit_id is not None and viewer.unit_id == replying_unit_id
