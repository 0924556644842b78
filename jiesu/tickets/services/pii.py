"""The requester's personal data: masked for display, revealed in full on request, with a reason.

Who may see what is decided in jiesu.tickets.permissions (requester_reveal_refusal,
requester_number_hidden); this module applies it. Every reveal, allowed or refused, writes an
audit line naming the fields and the reason, never the values (docs/personal-data.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import DomainError, PermissionDenied, ValidationFailed
from jiesu.core.masking import mask_id_number, mask_name, mask_phone
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.tickets.permissions import requester_number_hidden, requester_reveal_refusal

REVEAL_ACTION = "pii.reveal"
REVEAL_FIELDS: dict[str, str] = {
    "requester_name": "诉求人姓名",
    "requester_phone": "联系电话",
    "requester_id_number": "证件号码",
}
CONFIDENTIAL_TEXT = "（诉求人要求保密）"
REASON_MIN, REASON_MAX = 2, 200


@dataclass(frozen=True)
class RequesterView:
    """The requester as a page or an API response shows them to one viewer."""

    name: str
    phone: str
    id_number: str
    hidden: bool  # the requester asked for confidentiality and the viewer is outside the center


def requester_view(*, ticket: Ticket, viewer: User | None) -> RequesterView:
    """Masked values; a confidential requester's phone and ID number are not shown at all to units."""
    hidden = requester_number_hidden(viewer=viewer, ticket=ticket)
    return RequesterView(
        name=mask_name(ticket.requester_name),
        phone=CONFIDENTIAL_TEXT if hidden else mask_phone(ticket.requester_phone),
        id_number=CONFIDENTIAL_TEXT if hidden else mask_id_number(ticket.requester_id_number),
        hidden=hidden,
    )


def requester_may_reveal(*, ticket: Ticket, viewer: User | None) -> bool:
    return requester_reveal_refusal(actor=viewer, ticket=ticket) is None


def _problem(fields: list[str], reason: str) -> ValidationFailed | None:
    unknown = [f for f in fields if f not in REVEAL_FIELDS]
    if not fields or unknown:
        return ValidationFailed(f"请选择要查看的信息：{'、'.join(REVEAL_FIELDS.values())}", field="fields")
    if len(reason) < REASON_MIN:
        return ValidationFailed(f"请填写查看原因（至少 {REASON_MIN} 个字）", field="reason")
    if len(reason) > REASON_MAX:
        return ValidationFailed(f"查看原因不能超过 {REASON_MAX} 个字", field="reason")
    return None


def requester_reveal(
    ticket: Ticket, *, actor: User | None, fields: list[str], reason: str, source_address: str | None = None
) -> dict[str, str]:
    """The requested fields in full, if the actor may see them and gave a reason; audited either way.

    Raises ValidationFailed (no reason, unknown field) or PermissionDenied, after the audit line
    of the refusal is written (outside any transaction of ours, so it stays)."""
    reason = " ".join(reason.split())
    fields = list(dict.fromkeys(fields))
    error: DomainError | None = _problem(fields, reason)
    if error is None and (refusal := requester_reveal_refusal(actor=actor, ticket=ticket)):
        error = PermissionDenied(refusal)
    detail: dict[str, object] = {"fields": [f[:40] for f in fields[:3]], "reason": reason[:REASON_MAX]}
    if error is not None:
        audit_record(
            actor=actor,
            action=REVEAL_ACTION,
            obj=ticket,
            result=AuditResult.FAILURE,
            source_address=source_address,
            detail={**detail, "refusal": error.message},
        )
        raise error
    audit_record(actor=actor, action=REVEAL_ACTION, obj=ticket, source_address=source_address, detail=detail)
    return {name: str(getattr(ticket, name) or "") for name in fields}
