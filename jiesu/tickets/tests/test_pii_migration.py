"""Migration 0004 seals the requester data already in the database, or refuses without a key."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from jiesu.core.crypto import FORMAT_KEYED
from jiesu.core.keyring import keyring
from jiesu.tickets.models import Ticket

BEFORE = [("tickets", "0003_fewer_indexes")]
SEALING = [("tickets", "0004_sealed_requester")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def raw_rows() -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT requester_name, requester_phone, requester_id_number FROM {Ticket._meta.db_table} ORDER BY id"  # noqa: S608
        )
        return [tuple(row) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_plaintext_rows_are_sealed_and_can_be_opened_back() -> None:
    migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("tickets", "Ticket")
        old.objects.create(number="M1", title="老工单", requester_name="赵六", requester_phone="13700001111")
        old.objects.create(number="M2", title="无诉求人信息", requester_id_number="")
        with override_settings(JIESU_FIELD_KEY=""), pytest.raises(ImproperlyConfigured, match="1 张工单的诉求人信息"):
            migrate(SEALING)
        assert raw_rows() == [("赵六", "13700001111", ""), ("", "", "")]  # nothing changed

        migrate(SEALING)
        (name, phone, id_number), blank = raw_rows()
        assert base64.b64decode(name)[:1] == FORMAT_KEYED and "1370000" not in phone and id_number == ""
        assert blank == ("", "", "")
        # Only the sealed columns: later migrations add columns this schema state has not got.
        ticket = Ticket.objects.only("requester_name", "requester_phone", "requester_phone_digest").get(number="M1")
        assert (ticket.requester_name, ticket.requester_phone) == ("赵六", "13700001111")
        assert ticket.requester_phone_digest == keyring().phone_digest("13700001111")

        migrate(BEFORE)  # and back: the plaintext returns
        assert raw_rows() == [("赵六", "13700001111", ""), ("", "", "")]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
