"""SealedCharField and PhoneDigestField on a throw-away model, read back with raw SQL on both databases."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.db import connection, models
from django.test.utils import isolate_apps

from jiesu.core.crypto import FORMAT_KEYED, DecryptionFailed
from jiesu.core.fields import PhoneDigestField, SealedCharField
from jiesu.core.keyring import keyring

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TABLE = "core_sealed_probe"


@pytest.fixture
def probe() -> Iterator[Any]:
    """A model with two sealed columns and a digest, its table created for the test only."""
    with isolate_apps("jiesu.core"):

        class Probe(models.Model):
            name = SealedCharField(max_length=8, blank=True)
            phone = SealedCharField(max_length=32, blank=True)
            phone_digest = PhoneDigestField(source="phone", db_default="")

            class Meta:
                app_label = "core"
                db_table = TABLE

            def __str__(self) -> str:
                return f"probe {self.pk}"

        with connection.schema_editor() as editor:
            editor.create_model(Probe)
        try:
            yield Probe
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(Probe)


def raw(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, phone, phone_digest FROM {TABLE} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return row[0], row[1], row[2]


def test_values_round_trip_and_the_column_holds_no_plaintext(probe: Any) -> None:
    item = probe.objects.create(name="张三丰", phone="13812345678")
    name, phone, digest = raw(item.pk)
    for stored in (name, phone):
        assert "张三" not in stored and "1381234" not in stored
        assert base64.b64decode(stored)[:1] == FORMAT_KEYED
    assert digest == keyring().phone_digest("13812345678")
    fresh = probe.objects.get(pk=item.pk)
    assert (fresh.name, fresh.phone) == ("张三丰", "13812345678")


def test_bulk_create_values_only_and_update_all_seal_and_open(probe: Any) -> None:
    probe.objects.bulk_create([probe(name="李四", phone="13900001111"), probe(name="", phone="")])
    first, blank = probe.objects.order_by("id")
    assert raw(first.pk)[2] == keyring().phone_digest("13900001111")
    assert raw(blank.pk) == ("", "", "")
    assert list(probe.objects.order_by("id").values_list("name", "phone")) == [("李四", "13900001111"), ("", "")]
    assert probe.objects.only("phone").get(pk=first.pk).phone == "13900001111"
    assert probe.objects.values("name").get(pk=first.pk) == {"name": "李四"}
    probe.objects.filter(pk=first.pk).update(name="王五")
    assert "王五" not in raw(first.pk)[0] and probe.objects.get(pk=first.pk).name == "王五"


def test_a_value_copied_into_another_column_or_altered_does_not_open(probe: Any) -> None:
    item = probe.objects.create(name="张三", phone="13812345678")
    _, phone, _ = raw(item.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET name = %s WHERE id = %s", [phone, item.pk])  # noqa: S608
    with pytest.raises(DecryptionFailed):
        probe.objects.get(pk=item.pk)
    sealed = bytearray(base64.b64decode(phone))
    sealed[-1] ^= 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET name = '', phone = %s WHERE id = %s",  # noqa: S608
            [base64.b64encode(bytes(sealed)).decode(), item.pk],
        )
    with pytest.raises(DecryptionFailed):
        probe.objects.get(pk=item.pk)


def test_only_blank_values_can_be_filtered_on(probe: Any) -> None:
    probe.objects.create(name="", phone="13812345678")
    assert probe.objects.filter(name="").count() == 1
    assert probe.objects.exclude(phone="").count() == 1
    with pytest.raises(FieldError):
        probe.objects.filter(phone="13812345678").count()
    with pytest.raises(FieldError):
        probe.objects.filter(phone__icontains="1381").count()


def test_the_plaintext_length_is_validated(probe: Any) -> None:
    with pytest.raises(ValidationError):
        probe(name="一二三四五六七八九", phone="").full_clean()
