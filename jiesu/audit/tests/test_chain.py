import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes
from django.test import override_settings

from jiesu.audit.chain import (
    GENESIS_HASH,
    canonical_bytes,
    canonical_source_address,
    normalise_detail,
)
from jiesu.audit.models import AuditChainHead, AuditEntry, AuditResult
from jiesu.audit.services import audit_record
from jiesu.audit.verify import audit_verify


def test_sm3_matches_the_gbt_32905_test_vector() -> None:
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


@pytest.mark.parametrize(
    ("actor_id", "source", "detail"),
    [
        (None, None, {}),
        (7, "10.0.0.1", {"b": [1, 2.5, None], "a": {"z": True, "y": '引号"和\\反斜杠\n换行'}}),
        (12, "2001:db8::1", {"emoji": "😀", "ctrl": "\u0001", "n": -3}),
    ],
)
def test_the_canonical_form_is_sorted_key_compact_json(actor_id, source, detail) -> None:
    fields = {
        "sequence": 42,
        "occurred_at": "2026-01-02T03:04:05.000006+00:00",
        "actor_id": actor_id,
        "action": "pii.reveal",
        "object_type": "tickets.ticket",
        "object_id": "B0001",
        "result": "success",
        "source_address": source,
        "detail": detail,
        "previous_hash": GENESIS_HASH,
    }
    expected = {k: v for k, v in fields.items() if k != "actor_id"} | {"actor": actor_id}
    text = json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_bytes(**fields) == text.encode()


def test_details_are_stored_as_the_database_gives_them_back() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert normalise_detail({"t": (1, 2), "at": moment, "big": 1e20, "f": 0.1}) == {
        "t": [1, 2],
        "at": "2026-01-02T03:04:05Z",
        "big": 10**20,
        "f": 0.1,
    }
    with pytest.raises(ValueError, match="NaN"):
        normalise_detail({"x": float("nan")})


def test_addresses_have_one_spelling() -> None:
    assert canonical_source_address("2001:DB8:0:0:0:0:0:1") == "2001:db8::1"
    assert canonical_source_address(" 10.1.2.3 ") == "10.1.2.3"
    assert canonical_source_address("unknown") is None
    assert canonical_source_address("") is None


@pytest.mark.django_db
def test_entries_form_a_gapless_chain_that_verifies(world) -> None:
    before = AuditChainHead.objects.get().last_sequence
    first = audit_record(actor=world.agent, action="test.one", obj=world.agent, source_address="::ffff:10.0.0.1")
    second = audit_record(
        actor=None, action="test.two", result=AuditResult.FAILURE, detail={"原因": "测试", "n": 1.5, "list": (1, 2)}
    )
    assert (first.sequence, second.sequence) == (before + 1, before + 2)
    assert second.previous_hash == first.entry_hash
    sequences = list(AuditEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (second.sequence, second.entry_hash)
    report = audit_verify()
    assert report.intact, report.as_dict()
    assert report.checked == second.sequence


@pytest.mark.django_db
def test_the_chain_is_keyed(world) -> None:
    audit_record(actor=world.agent, action="test.keyed")
    assert audit_verify().intact
    with override_settings(JIESU_AUDIT_KEY="another-key-that-an-attacker-might-guess"):
        report = audit_verify()
    assert not report.intact
    assert {p.kind for p in report.problems} == {"edited"}


@pytest.mark.django_db
def test_a_dedicated_key_is_used_when_configured(world) -> None:
    with override_settings(JIESU_AUDIT_KEY="k" * 32):
        audit_record(actor=world.agent, action="test.keyed")
        ours = AuditEntry.objects.latest("sequence").entry_hash
    assert audit_verify(from_sequence=AuditEntry.objects.latest("sequence").sequence).problem_count == 1
    assert len(ours) == 64
