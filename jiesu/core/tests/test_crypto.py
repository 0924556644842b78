"""SM4-GCM sealing and SM3 digests for data at rest (jiesu.core.crypto)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from jiesu.core.crypto import DecryptionFailed, field_key, field_key_new, sm3_hex, sm4_decrypt, sm4_encrypt

KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_the_cipher_is_sm4_per_the_gb_t_32907_example() -> None:
    # GB/T 32907-2016 Appendix A.1: key = plaintext = 0123…3210, one block.
    encryptor = Cipher(algorithms.SM4(KEY), modes.ECB()).encryptor()  # noqa: S305 - known-answer test only
    assert (encryptor.update(KEY) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_matches_the_gb_t_32905_example() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_a_sealed_value_opens_with_the_same_key_and_context() -> None:
    sealed = sm4_encrypt(b"13812345678", KEY, associated_data=b"ticket:1")
    assert b"13812345678" not in sealed
    assert sealed[:1] == b"\x01" and len(sealed) == 1 + 12 + 11 + 16
    assert sm4_decrypt(sealed, KEY, associated_data=b"ticket:1") == b"13812345678"


def test_each_sealing_uses_a_fresh_nonce() -> None:
    assert sm4_encrypt(b"same", KEY) != sm4_encrypt(b"same", KEY)


def test_a_tampered_value_another_context_or_another_key_is_refused() -> None:
    sealed = sm4_encrypt(b"secret", KEY, associated_data=b"totp:1")
    flipped = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for bad, key, context in (
        (flipped, KEY, b"totp:1"),
        (sealed, KEY, b"totp:2"),
        (sealed, bytes(16), b"totp:1"),
        (sealed[:20], KEY, b"totp:1"),
        (b"\x02" + sealed[1:], KEY, b"totp:1"),
    ):
        with pytest.raises(DecryptionFailed):
            sm4_decrypt(bad, key, associated_data=context)


def test_keys_must_be_sixteen_bytes() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        sm4_encrypt(b"x", b"short")


def test_the_field_key_comes_from_settings_as_hex() -> None:
    key = field_key_new()
    with override_settings(JIESU_FIELD_KEY=key):
        assert field_key() == bytes.fromhex(key)


@pytest.mark.parametrize("value", ["", "not-hex", "00112233"])
def test_a_missing_or_malformed_field_key_is_refused_in_chinese(value: str) -> None:
    with override_settings(JIESU_FIELD_KEY=value), pytest.raises(ImproperlyConfigured, match="JIESU_FIELD_KEY"):
        field_key()
