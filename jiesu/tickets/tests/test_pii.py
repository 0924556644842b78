"""The requester's personal data on tickets: sealed columns, phone search, masking, reveal rules."""

from __future__ import annotations

import pytest
from django.db import connection

from jiesu.audit.models import AuditEntry, AuditResult
from jiesu.core.errors import PermissionDenied, ValidationFailed
from jiesu.core.keyring import keyring
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch, tickets_search
from jiesu.tickets.services.pii import CONFIDENTIAL_TEXT, REVEAL_ACTION, requester_reveal, requester_view
from jiesu.tickets.tests.helpers import REQUESTER_ID_NUMBER as ID_NUMBER
from jiesu.tickets.tests.helpers import REQUESTER_NAME as NAME
from jiesu.tickets.tests.helpers import REQUESTER_PHONE as PHONE
from jiesu.tickets.tests.helpers import new_ticket, requester_ticket

pytestmark = pytest.mark.django_db
ALL = ["requester_name", "requester_phone", "requester_id_number"]
REQUESTER_COLUMNS = "requester_name, requester_phone, requester_id_number, requester_phone_digest"


def raw_columns(ticket: Ticket) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REQUESTER_COLUMNS} FROM {Ticket._meta.db_table} WHERE id = %s", [ticket.pk])  # noqa: S608
        return tuple(cursor.fetchone())


def test_the_database_holds_no_plaintext_requester_data(world: World) -> None:
    ticket = requester_ticket(world)
    name, phone, id_number, digest = raw_columns(ticket)
    for stored in (name, phone, id_number):
        assert NAME not in stored and "1381234" not in stored and "19900101" not in stored
    assert digest == keyring().phone_digest(PHONE)
    assert (ticket.requester_name, ticket.requester_phone, ticket.requester_id_number) == (NAME, PHONE, ID_NUMBER)


def search(world_user: object, keyword: str) -> list[str]:
    return list(
        tickets_search(viewer=world_user, search=TicketSearch(keyword=keyword)).values_list("number", flat=True)  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("typed", [PHONE, "138-1234-1234", "+86 138 1234 1234", "008613812341234"])
def test_a_ticket_is_found_by_the_full_phone_number_in_any_format(world: World, typed: str) -> None:
    ticket = requester_ticket(world)
    new_ticket(world, "另一张工单", requester_phone="13900000000")
    assert search(world.agent, typed) == [ticket.number]
    assert search(world.agent, "1381234") == []  # part of a number finds nothing: only digests are stored


def test_units_never_find_a_confidential_requester_by_phone(world: World) -> None:
    open_ticket = requester_ticket(world, TicketStatus.HANDLING)
    secret = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    assert set(search(world.agent, PHONE)) == {open_ticket.number, secret.number}
    assert search(world.township_staff, PHONE) == [open_ticket.number]
    assert search(world.other_staff, PHONE) == []  # not their tickets at all


def test_the_requester_is_masked_and_a_confidential_number_not_shown_to_units(world: World) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    center = requester_view(ticket=ticket, viewer=world.agent)
    assert (center.name, center.phone, center.id_number) == ("王**", "138****1234", "110105********1234")
    unit = requester_view(ticket=ticket, viewer=world.township_staff)
    assert (unit.name, unit.phone, unit.id_number, unit.hidden) == ("王**", CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT, True)


def reveal_entries(ticket: Ticket) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=REVEAL_ACTION, object_id=str(ticket.pk)).order_by("sequence"))


@pytest.mark.parametrize("role", ["agent", "shift_lead", "callback_agent"])
def test_center_staff_who_talk_to_requesters_may_reveal_with_a_reason(world: World, role: str) -> None:
    ticket = requester_ticket(world)
    values = requester_reveal(
        ticket, actor=getattr(world, role), fields=ALL, reason="回访前核对联系电话", source_address="10.0.0.8"
    )
    assert values == {"requester_name": NAME, "requester_phone": PHONE, "requester_id_number": ID_NUMBER}
    [entry] = reveal_entries(ticket)
    assert entry.result == AuditResult.SUCCESS and entry.actor_id == getattr(world, role).pk
    assert entry.detail == {"fields": ALL, "reason": "回访前核对联系电话"}
    assert PHONE not in entry.detail_text and NAME not in entry.detail_text


@pytest.mark.parametrize("role", ["analyst", "leader", "system_admin", "audit_admin"])
def test_other_center_roles_are_refused_and_the_refusal_is_audited(world: World, role: str) -> None:
    ticket = requester_ticket(world)
    with pytest.raises(PermissionDenied, match="无权查看诉求人的完整信息"):
        requester_reveal(ticket, actor=getattr(world, role), fields=["requester_phone"], reason="想看看")
    [entry] = reveal_entries(ticket)
    assert entry.result == AuditResult.FAILURE
    assert entry.detail["fields"] == ["requester_phone"] and entry.detail["reason"] == "想看看"


def test_a_reason_of_at_least_two_characters_is_required(world: World) -> None:
    ticket = requester_ticket(world)
    for reason in ("", " ", "看"):
        with pytest.raises(ValidationFailed, match="请填写查看原因"):
            requester_reveal(ticket, actor=world.agent, fields=ALL, reason=reason)
    with pytest.raises(ValidationFailed, match="请选择要查看的信息"):
        requester_reveal(ticket, actor=world.agent, fields=["password"], reason="核对信息")
    assert [e.result for e in reveal_entries(ticket)] == [AuditResult.FAILURE] * 4


def test_the_handling_unit_may_reveal_only_while_it_handles_the_ticket(world: World) -> None:
    handling = requester_ticket(world, TicketStatus.HANDLING)
    values = requester_reveal(handling, actor=world.township_staff, fields=["requester_phone"], reason="上门核实")
    assert values == {"requester_phone": PHONE}
    for ticket, user in (
        (requester_ticket(world, TicketStatus.CLOSED), world.township_staff),  # finished
        (requester_ticket(world, TicketStatus.RECEIVED), world.district_staff),  # not dispatched yet
        (handling, world.district_staff),  # the district above sees the ticket, but does not handle it
    ):
        with pytest.raises(PermissionDenied, match="只有正在办理该工单的承办单位"):
            requester_reveal(ticket, actor=user, fields=["requester_phone"], reason="上门核实")
    with pytest.raises(PermissionDenied):
        requester_reveal(handling, actor=world.other_staff, fields=["requester_phone"], reason="上门核实")


def test_a_confidential_requester_is_never_revealed_to_a_unit(world: World) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    for fields in (["requester_phone"], ["requester_id_number"], ["requester_name"]):
        with pytest.raises(PermissionDenied, match="诉求人要求保密"):
            requester_reveal(ticket, actor=world.township_staff, fields=fields, reason="上门核实")
    assert requester_reveal(ticket, actor=world.agent, fields=["requester_phone"], reason="中心代为联系") == {
        "requester_phone": PHONE
    }
    assert [e.result for e in reveal_entries(ticket)] == [AuditResult.FAILURE] * 3 + [AuditResult.SUCCESS]


def test_intake_limits_the_plaintext_since_the_sealed_column_cannot(world: World) -> None:
    with pytest.raises(TicketInvalid, match="诉求人不能超过64个字"):
        new_ticket(world, requester_name="名" * 65)
    with pytest.raises(TicketInvalid, match="联系电话不能超过32个字"):
        new_ticket(world, requester_phone="1" * 33)
