"""The field keyring: sealing under the active key, opening under retired ones, phone digests."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jiesu.core.crypto import (
    FORMAT_KEYED,
    DecryptionFailed,
    field_key_new,
    key_id,
    sealed_key_id,
    sm4_encrypt,
)
from jiesu.core.keyring import Keyring, UnknownKey, field_open, field_seal, keyring, parse_retired_keys, phone_normalise
from jiesu.settings import demo_field_key

A, B, C = (bytes.fromhex(field_key_new()) for _ in range(3))
CONTEXT = b"tickets_ticket.requester_phone"


def test_values_are_sealed_under_the_active_key_and_name_it() -> None:
    ring = Keyring(A, (B,))
    sealed = ring.seal(b"13812345678", CONTEXT)
    assert sealed[:1] == FORMAT_KEYED and sealed_key_id(sealed) == key_id(A)
    assert ring.open(sealed, CONTEXT) == b"13812345678"
    assert ring.is_current(sealed)


def test_a_retired_key_still_opens_what_it_sealed_but_never_seals() -> None:
    old = Keyring(A).seal("张三".encode(), CONTEXT)
    ring = Keyring(B, (A,))
    assert ring.open(old, CONTEXT) == "张三".encode()
    assert not ring.is_current(old)
    assert sealed_key_id(ring.seal(b"x", CONTEXT)) == key_id(B)


def test_a_value_under_a_key_that_is_not_configured_does_not_open() -> None:
    sealed = Keyring(C).seal(b"secret", CONTEXT)
    with pytest.raises(UnknownKey):
        Keyring(A, (B,)).open(sealed, CONTEXT)


def test_format_1_values_open_under_the_active_or_a_retired_key() -> None:
    legacy = sm4_encrypt(b"totp-secret", A, associated_data=b"totp:7")
    assert sealed_key_id(legacy) is None
    assert Keyring(A).open(legacy, b"totp:7") == b"totp-secret"
    assert Keyring(B, (A,)).open(legacy, b"totp:7") == b"totp-secret"
    with pytest.raises(UnknownKey):
        Keyring(B, (C,)).open(legacy, b"totp:7")


def test_tampering_another_context_or_a_forged_key_id_is_detected() -> None:
    ring = Keyring(A, (B,))
    sealed = ring.seal(b"110105199001011234", CONTEXT)
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    # A value sealed under A, relabelled as B's: B cannot open it, and the id is authenticated.
    relabelled = FORMAT_KEYED + key_id(B) + sealed[5:]
    for bad, context in ((flipped, CONTEXT), (sealed, b"tickets_ticket.requester_name"), (relabelled, CONTEXT)):
        with pytest.raises(DecryptionFailed):
            ring.open(bad, context)
    for garbage in (b"", b"\x07abc", sealed[:20]):
        with pytest.raises(DecryptionFailed):
            ring.open(garbage, CONTEXT)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-6512 3456", "01065123456"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised_before_digesting(typed: str, normal: str) -> None:
    assert phone_normalise(typed) == normal


def test_the_phone_digest_is_keyed_and_ignores_formatting() -> None:
    ring = Keyring(A)
    digest = ring.phone_digest("13812345678")
    assert len(digest) == 64 and digest == ring.phone_digest("+86 138-1234-5678")
    assert digest != ring.phone_digest("13812345679")
    assert digest != Keyring(B).phone_digest("13812345678")
    assert ring.phone_digest("") == "" and ring.phone_digests("--") == []


def test_searches_during_a_rotation_try_the_digest_of_every_key() -> None:
    ring = Keyring(B, (A,))
    assert ring.phone_digests("13812345678") == [
        Keyring(B).phone_digest("13812345678"),
        Keyring(A).phone_digest("13812345678"),
    ]


def test_retired_keys_are_listed_with_commas_or_new_lines() -> None:
    assert parse_retired_keys(f"{A.hex()},\n {B.hex()}\n") == (A, B)
    assert parse_retired_keys("") == ()
    with pytest.raises(ImproperlyConfigured, match="JIESU_FIELD_KEYS_RETIRED 中的第 2 个密钥"):
        parse_retired_keys(f"{A.hex()},not-a-key")


def test_the_keyring_follows_the_settings() -> None:
    with override_settings(JIESU_FIELD_KEY=A.hex(), JIESU_FIELD_KEYS_RETIRED=""):
        sealed = field_seal(b"x", associated_data=CONTEXT)
        assert keyring().active.key_id == key_id(A)
    with override_settings(JIESU_FIELD_KEY=B.hex(), JIESU_FIELD_KEYS_RETIRED=A.hex()):
        assert field_open(sealed, associated_data=CONTEXT) == b"x"
        assert [c.key_id for c in keyring().retired] == [key_id(A)]
    with override_settings(JIESU_FIELD_KEY=""), pytest.raises(ImproperlyConfigured, match="未配置字段加密密钥"):
        keyring()


def test_the_demo_draws_its_field_key_once_into_an_owner_only_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "field.key"
    first = demo_field_key(path)
    assert len(bytes.fromhex(first)) == 16
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert demo_field_key(path) == first
