"""Every kind of tampering with stored entries is found by `audit_verify`."""

# ruff: noqa: S608 - these tests build tampering SQL on purpose, from constants

import pytest
from django.db import connection

from jiesu.audit.models import AuditChainHead, AuditEntry
from jiesu.audit.services import audit_record
from jiesu.audit.tests.tamper import row, tamper
from jiesu.audit.verify import audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(db: None) -> list[int]:
    """Ten fresh entries; returns their sequences."""
    return [audit_record(actor=None, action="test.entry", detail={"n": n}).sequence for n in range(10)]


def kinds() -> set[str]:
    report = audit_verify()
    assert not report.intact
    return {p.kind for p in report.problems}


def test_an_intact_chain_has_no_problems(chain: list[int]) -> None:
    report = audit_verify()
    assert report.intact and report.problems == []
    assert report.last_sequence == chain[-1]


def test_an_edited_detail_is_found(chain: list[int]) -> None:
    assert tamper("UPDATE audit_auditentry SET detail = %s WHERE sequence = %s", ['{"n": 99}', chain[4]]) == 1
    report = audit_verify()
    assert [(p.kind, p.sequence) for p in report.problems] == [("edited", chain[4])]
    assert "哈希不符" in report.problems[0].message


@pytest.mark.parametrize(
    ("column", "value"),
    [("action", "test.other"), ("result", "failure"), ("object_id", "42"), ("source_address", "10.9.9.9")],
)
def test_any_edited_column_is_found(chain: list[int], column: str, value: str) -> None:
    tamper(f"UPDATE audit_auditentry SET {column} = %s WHERE sequence = %s", [value, chain[2]])
    assert [(p.kind, p.sequence) for p in audit_verify().problems] == [("edited", chain[2])]


def test_an_edited_time_is_found(chain: list[int]) -> None:
    original = row(chain[3])["occurred_at"]
    tamper("UPDATE audit_auditentry SET occurred_at = %s WHERE sequence = %s", [original, chain[3]])
    assert audit_verify().intact  # writing the same value back is not a change
    tamper(
        "UPDATE audit_auditentry SET occurred_at = (SELECT occurred_at FROM audit_auditentry WHERE sequence = %s)"
        " WHERE sequence = %s",
        [chain[0], chain[3]],
    )
    assert kinds() == {"edited"}


def test_a_deleted_middle_entry_is_found(chain: list[int]) -> None:
    assert tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [chain[5]]) == 1
    report = audit_verify()
    assert {(p.kind, p.sequence) for p in report.problems} == {("gap", chain[6]), ("broken_link", chain[6])}
    assert f"第 {chain[5]} 条记录缺失" in report.problems[0].message


def test_a_deleted_last_entry_is_found(chain: list[int]) -> None:
    tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [chain[-1]])
    assert kinds() == {"tail_missing"}


def test_deleted_first_entries_are_found(chain: list[int]) -> None:
    tamper("DELETE FROM audit_auditentry WHERE sequence <= %s", [chain[0]])
    assert "gap" in kinds()


def test_two_swapped_entries_are_found(chain: list[int]) -> None:
    a, b = chain[2], chain[3]
    tamper("UPDATE audit_auditentry SET sequence = -1 WHERE sequence = %s", [a])
    tamper("UPDATE audit_auditentry SET sequence = %s WHERE sequence = %s", [a, b])
    tamper("UPDATE audit_auditentry SET sequence = %s WHERE sequence = -1", [b])
    assert kinds() == {"edited", "broken_link"}


def test_a_forged_entry_appended_after_the_head_is_found(chain: list[int]) -> None:
    last = row(chain[-1])
    forged = {**last, "id": last["id"] + 1000, "sequence": chain[-1] + 1, "previous_hash": last["entry_hash"]}
    forged["entry_hash"] = "f" * 64
    columns = ", ".join(forged)
    marks = ", ".join(["%s"] * len(forged))
    tamper(f"INSERT INTO audit_auditentry ({columns}) VALUES ({marks})", list(forged.values()))
    assert kinds() == {"edited", "beyond_head"}


def test_a_forged_replacement_of_a_deleted_entry_is_found(chain: list[int]) -> None:
    victim = row(chain[4])
    tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [chain[4]])
    forged = {**victim, "action": "test.innocent", "id": victim["id"] + 1000}
    columns = ", ".join(forged)
    marks = ", ".join(["%s"] * len(forged))
    tamper(f"INSERT INTO audit_auditentry ({columns}) VALUES ({marks})", list(forged.values()))
    assert kinds() == {"edited"}


def test_a_rewound_head_is_found(chain: list[int]) -> None:
    AuditChainHead.objects.update(last_sequence=chain[-2])
    assert kinds() == {"beyond_head"}


def test_verification_from_a_sequence_checks_the_link_to_the_one_before(chain: list[int]) -> None:
    assert audit_verify(from_sequence=chain[5]).checked == len(chain) - 5
    tamper("DELETE FROM audit_auditentry WHERE sequence = %s", [chain[4]])
    report = audit_verify(from_sequence=chain[5])
    assert [p.kind for p in report.problems] == ["gap"]
    assert audit_verify(from_sequence=chain[6]).intact


def test_the_problem_list_is_capped_but_counted(chain: list[int]) -> None:
    tamper("UPDATE audit_auditentry SET action = %s", ["test.rewritten"])
    report = audit_verify(max_problems=3)
    assert len(report.problems) == 3
    assert report.problem_count == AuditEntry.objects.count()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_raw_updates_and_deletes(chain: list[int]) -> None:
    from django.db import DatabaseError, transaction

    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE sequence = %s",
        "DELETE FROM audit_auditentry WHERE sequence = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="审计记录只能追加"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [chain[0]])
    # The purge flag alone is not enough for recent entries: the trigger keeps 183 days in any case.
    with pytest.raises(DatabaseError, match="审计记录只能追加"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT jiesu_audit_purge(%s)", [chain[-1]])
    assert audit_verify().intact
