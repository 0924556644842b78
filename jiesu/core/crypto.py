"""国密 primitives for data at rest: SM4-GCM sealing and SM3 digests (GB/T 32907, GB/T 32905).

`sm4_encrypt` / `sm4_decrypt` seal small values (a TOTP secret, a phone number) with a 128-bit
key. The output is self-describing and authenticated::

    version (1 byte, 0x01) ‖ nonce (12 random bytes) ‖ ciphertext ‖ GCM tag (16 bytes)

`associated_data` binds a ciphertext to its place (for example ``b"totp:42"`` for user 42) so that
a sealed value copied into another row fails to open instead of being silently accepted.

The field key comes from the environment, never from the database: ``JIESU_FIELD_KEY`` holds 32
hex digits (16 bytes), or ``JIESU_FIELD_KEY_FILE`` names a file holding them (settings read both
into ``settings.JIESU_FIELD_KEY``). `field_key()` returns it and refuses a missing or malformed
key with a clear message; it is read when a value is sealed or opened, so a deployment that never
stores such values does not need one.

Format 0x02 (`FieldCipher`) names the key that sealed a value, so that several keys can be in use
while a rotation runs (jiesu.core.keyring)::

    version (0x02) ‖ key id (4 bytes: SM3 of the key) ‖ nonce (12) ‖ ciphertext ‖ GCM tag (16)

The version and key id are authenticated along with the associated data.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = b"\x01"
FORMAT_KEYED = b"\x02"
KEY_BYTES = 16
KEY_ID_BYTES = 4
KEYED_HEADER_BYTES = 1 + KEY_ID_BYTES
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionFailed(Exception):
    """The sealed value was altered, truncated, or sealed under another key or context."""


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError(f"SM4 keys are {KEY_BYTES} bytes, got {len(key)}")


def sm4_encrypt(plaintext: bytes, key: bytes, *, associated_data: bytes = b"") -> bytes:
    """Seal `plaintext` with SM4-GCM under a fresh random nonce."""
    _check_key(key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if associated_data:
        encryptor.authenticate_additional_data(associated_data)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return FORMAT_VERSION + nonce + body + encryptor.tag


def sm4_decrypt(sealed: bytes, key: bytes, *, associated_data: bytes = b"") -> bytes:
    """Open a value sealed by `sm4_encrypt`; raises DecryptionFailed if anything does not match."""
    _check_key(key)
    sealed = bytes(sealed)
    if len(sealed) < 1 + NONCE_BYTES + TAG_BYTES or sealed[:1] != FORMAT_VERSION:
        raise DecryptionFailed("not an SM4-GCM value of a known format")
    nonce = sealed[1 : 1 + NONCE_BYTES]
    body, tag = sealed[1 + NONCE_BYTES : -TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if associated_data:
        decryptor.authenticate_additional_data(associated_data)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionFailed("SM4-GCM tag mismatch") from exc


def sm3_hex(data: bytes) -> str:
    """The SM3 digest of `data` as 64 hex digits."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 of `data` (32 bytes)."""
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def key_id(key: bytes) -> bytes:
    """The 4-byte id a key is known by in sealed values: the start of its SM3 digest."""
    return bytes.fromhex(sm3_hex(key))[:KEY_ID_BYTES]


def sealed_key_id(sealed: bytes) -> bytes | None:
    """The id of the key that sealed a 0x02 value; None for a 0x01 value, which does not say."""
    head = sealed[:1]
    if head == FORMAT_KEYED and len(sealed) >= KEYED_HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        return bytes(sealed[1:KEYED_HEADER_BYTES])
    if head == FORMAT_VERSION:
        return None
    raise DecryptionFailed("not an SM4-GCM value of a known format")


class FieldCipher:
    """SM4-GCM in format 0x02 under one key; built once per key and reused for every value."""

    __slots__ = ("_algorithm", "_header", "key", "key_id")

    def __init__(self, key: bytes) -> None:
        _check_key(key)
        self.key = key
        self.key_id = key_id(key)
        self._algorithm = algorithms.SM4(key)
        self._header = FORMAT_KEYED + self.key_id

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(self._header + associated_data)
        body = encryptor.update(plaintext) + encryptor.finalize()
        return self._header + nonce + body + encryptor.tag

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        if len(sealed) < KEYED_HEADER_BYTES + NONCE_BYTES + TAG_BYTES or sealed[:KEYED_HEADER_BYTES] != self._header:
            raise DecryptionFailed("not sealed under this key")
        nonce = sealed[KEYED_HEADER_BYTES : KEYED_HEADER_BYTES + NONCE_BYTES]
        body, tag = sealed[KEYED_HEADER_BYTES + NONCE_BYTES : -TAG_BYTES], sealed[-TAG_BYTES:]
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(self._header + associated_data)
        try:
            return decryptor.update(body) + decryptor.finalize()
        except InvalidTag as exc:
            raise DecryptionFailed("SM4-GCM tag mismatch") from exc


def parse_field_key(raw: str, name: str = "JIESU_FIELD_KEY") -> bytes:
    """A field key from its 32 hex digits; refused in Chinese, naming the setting, otherwise."""
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} 必须是 32 位十六进制字符（16 字节）") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} 必须是 32 位十六进制字符（16 字节）")
    return key


def field_key() -> bytes:
    """The SM4 key for encrypted fields, from JIESU_FIELD_KEY or JIESU_FIELD_KEY_FILE."""
    raw = str(getattr(settings, "JIESU_FIELD_KEY", "") or "").strip()
    if not raw:
        raise ImproperlyConfigured(
            "未配置字段加密密钥：请设置 JIESU_FIELD_KEY（32 位十六进制）或 JIESU_FIELD_KEY_FILE（密钥文件路径）"
        )
    return parse_field_key(raw)


def field_key_new() -> str:
    """A fresh random field key in the form JIESU_FIELD_KEY expects."""
    return secrets.token_hex(KEY_BYTES)
