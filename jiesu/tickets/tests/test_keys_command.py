"""`jiesu keys`: new keys, status per key, and rotation of every sealed value (tickets and TOTP)."""

from __future__ import annotations

import base64
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from jiesu.audit.models import AuditEntry, AuditResult
from jiesu.core.crypto import field_key_new, key_id, sealed_key_id, sm4_encrypt
from jiesu.core.keyring import Keyring
from jiesu.core.sealing import RotationReport, sealed_rotate
from jiesu.orgs.models import TotpDevice
from jiesu.orgs.security.mfa import totp_enrol_start, totp_enrolment_pending
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch, tickets_search
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db
A, B, C = (field_key_new() for _ in range(3))
PHONES = [f"1381234{n:04d}" for n in range(5)]
REQUESTER_COLUMNS = "requester_name, requester_phone, requester_id_number, requester_phone_digest"


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def raw_tickets() -> list[tuple[str, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REQUESTER_COLUMNS} FROM {Ticket._meta.db_table} ORDER BY id")  # noqa: S608
        return [tuple(row) for row in cursor.fetchall()]


def raw_secrets() -> list[bytes]:
    return [bytes(s) for s in TotpDevice.objects.order_by("id").values_list("secret_sealed", flat=True)]


def found_by_phone(world: World, phone: str) -> int:
    return tickets_search(viewer=world.agent, search=TicketSearch(keyword=phone)).count()


@pytest.fixture
def sealed_under_a(world: World) -> dict[str, bytes]:
    """Five tickets and two TOTP secrets under key A: one secret in format 0x02, one in the old 0x01."""
    with override_settings(JIESU_FIELD_KEY=A, JIESU_FIELD_KEYS_RETIRED=""):
        for n, phone in enumerate(PHONES):
            new_ticket(world, f"工单{n}", requester_name=f"张{n}", requester_phone=phone, requester_id_number="")
        enrolment = totp_enrol_start(user=world.agent)
    legacy = b"legacy-totp-secret-20b"
    TotpDevice.objects.create(
        user=world.leader,
        secret_sealed=sm4_encrypt(legacy, bytes.fromhex(A), associated_data=f"totp:{world.leader.pk}".encode()),
    )
    return {"agent": base64.b32decode(enrolment.secret + "=" * (-len(enrolment.secret) % 8)), "leader": legacy}


def test_new_prints_a_fresh_key() -> None:
    first, second = keys("new").strip(), keys("new").strip()
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_rotation_from_key_a_to_key_b_then_dropping_a(world: World, sealed_under_a: dict[str, bytes]) -> None:
    with override_settings(JIESU_FIELD_KEY=B, JIESU_FIELD_KEYS_RETIRED=A):
        status = keys("status")
        assert f"{key_id(bytes.fromhex(A)).hex()}（已退役密钥）：5" in status
        assert "旧格式（0x01），" in status
        assert found_by_phone(world, PHONES[0]) == 1  # the old digests still answer during the rotation
        output = keys("rotate")
        assert "重新加密 tickets.Ticket.requester_phone：5" in output
        assert "重新加密 orgs.TotpDevice.secret_sealed：2" in output
        assert "重算检索摘要 tickets.Ticket.requester_phone_digest：5" in output
        assert "没有需要重新加密的值" in keys("rotate")
    b_id = key_id(bytes.fromhex(B))
    for name, phone, id_number, _ in raw_tickets():
        assert sealed_key_id(base64.b64decode(name)) == b_id and sealed_key_id(base64.b64decode(phone)) == b_id
        assert id_number == ""
    assert [r[3] for r in raw_tickets()] == [Keyring(bytes.fromhex(B)).phone_digest(p) for p in PHONES]
    assert all(sealed_key_id(s) == b_id for s in raw_secrets())
    with override_settings(JIESU_FIELD_KEY=B, JIESU_FIELD_KEYS_RETIRED=""):
        assert [t.requester_phone for t in Ticket.objects.order_by("id")] == PHONES
        assert found_by_phone(world, PHONES[3]) == 1
        pending = totp_enrolment_pending(user=world.agent)
        assert (
            pending is not None
            and base64.b32decode(pending.secret + "=" * (-len(pending.secret) % 8)) == (sealed_under_a["agent"])
        )
        assert "（当前密钥）：5" in keys("status")
    entry = AuditEntry.objects.filter(action="keys.rotate").order_by("sequence").first()
    assert entry is not None and entry.result == AuditResult.SUCCESS
    assert entry.detail["resealed"]["tickets.Ticket.requester_phone"] == 5 and entry.detail["key_id"] == b_id.hex()


class Interrupted(Exception):
    pass


def test_an_interrupted_rotation_keeps_finished_batches_and_a_second_run_finishes(
    world: World, sealed_under_a: dict[str, bytes]
) -> None:
    def stop_in_the_second_ticket_batch(label: str, report: RotationReport) -> None:
        if label == "tickets.Ticket" and report.rows > 2 + 2:  # 2 TOTP rows, then batches of 2 tickets
            raise Interrupted

    b_id = key_id(bytes.fromhex(B))
    with override_settings(JIESU_FIELD_KEY=B, JIESU_FIELD_KEYS_RETIRED=A):
        with pytest.raises(Interrupted):
            sealed_rotate(batch_size=2, progress=stop_in_the_second_ticket_batch)
        done = [sealed_key_id(base64.b64decode(phone)) == b_id for _, phone, _, _ in raw_tickets()]
        assert done == [True, True, False, False, False]  # the first batch stayed, the second rolled back
        report = sealed_rotate(batch_size=2)
        assert report.resealed["tickets.Ticket.requester_phone"] == 3 and not report.failures
        assert all(sealed_key_id(base64.b64decode(phone)) == b_id for _, phone, _, _ in raw_tickets())


def test_a_value_no_configured_key_opens_fails_the_command_in_chinese(
    world: World, sealed_under_a: dict[str, bytes]
) -> None:
    with override_settings(JIESU_FIELD_KEY=C):
        stray = new_ticket(world, "另一把密钥下的工单", requester_phone="13900000000")
    with override_settings(JIESU_FIELD_KEY=B, JIESU_FIELD_KEYS_RETIRED=A):
        with pytest.raises(CommandError, match="不能用任何已配置的密钥解开") as status:
            keys("status")
        assert status.value.returncode == 1
        with pytest.raises(CommandError, match="JIESU_FIELD_KEYS_RETIRED") as rotate:
            keys("rotate")
        assert rotate.value.returncode == 1
        assert sealed_key_id(base64.b64decode(raw_tickets()[0][1])) == key_id(bytes.fromhex(B))  # others went on
    entry = AuditEntry.objects.filter(action="keys.rotate").order_by("-sequence").first()
    assert entry is not None and entry.result == AuditResult.FAILURE and entry.detail["failures"] == 1
    assert Ticket.objects.filter(pk=stray.pk).exists()


def test_without_a_field_key_the_command_says_what_to_set() -> None:
    with override_settings(JIESU_FIELD_KEY=""), pytest.raises(CommandError, match="JIESU_FIELD_KEY"):
        keys("status")
