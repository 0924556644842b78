"""The field keys in use: the active key seals, the active and retired keys open; phone digests.

``JIESU_FIELD_KEY`` (or ``_FILE``) is the active key. ``JIESU_FIELD_KEYS_RETIRED`` (or ``_FILE``)
lists earlier keys, separated by commas or new lines, so that values sealed before a rotation
still open until `jiesu keys rotate` has re-sealed them (docs/personal-data.md). Values of format
0x02 name their key; older 0x01 values (TOTP secrets sealed before key ids existed) are tried
under each key in turn.

The keyring is built once per combination of settings and reused: sealing a value costs one
GCM context, not a key schedule plus settings parsing.

Search digests: HMAC-SM3 of a normalised phone number under a key derived from the field key,
so equal numbers give equal digests (an index can find them) while the digest says nothing
without the key. A digest belongs to the key it was made under; during a rotation, searches
try the digests of every key in the keyring.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings

from jiesu.core.crypto import (
    DecryptionFailed,
    FieldCipher,
    field_key,
    hmac_sm3,
    parse_field_key,
    sealed_key_id,
    sm4_decrypt,
)

RETIRED_SETTING = "JIESU_FIELD_KEYS_RETIRED"
DIGEST_LABEL = b"jiesu/phone-digest/v1"
KEY_SEPARATORS = re.compile(r"[\s,;]+")


class UnknownKey(DecryptionFailed):
    """The value names a key that is neither the active key nor a retired one."""


class _Digester:
    """HMAC-SM3 under one derived key; the keyed state is computed once and copied per value."""

    def __init__(self, field_key_bytes: bytes) -> None:
        self._base = hmac.HMAC(hmac_sm3(field_key_bytes, DIGEST_LABEL), hashes.SM3())

    def hex(self, data: bytes) -> str:
        mac = self._base.copy()
        mac.update(data)
        return mac.finalize().hex()


class Keyring:
    """The active cipher, the retired ones by key id, and the phone digesters."""

    def __init__(self, active: bytes, retired: tuple[bytes, ...] = ()) -> None:
        self.active = FieldCipher(active)
        self.retired = tuple(FieldCipher(key) for key in retired if key != active)
        self.by_id = {c.key_id: c for c in reversed((self.active, *self.retired))}
        self._digesters = [_Digester(c.key) for c in (self.active, *self.retired)]

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return self.active.seal(plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        """Open a value sealed under any key of the ring; DecryptionFailed if none opens it."""
        kid = sealed_key_id(sealed)
        if kid is None:
            return self._open_legacy(sealed, associated_data)
        cipher = self.by_id.get(kid)
        if cipher is None:
            raise UnknownKey(f"sealed under key {kid.hex()}, which is not configured")
        return cipher.open(sealed, associated_data)

    def _open_legacy(self, sealed: bytes, associated_data: bytes) -> bytes:
        opened = self.open_legacy(sealed, associated_data)
        if opened is None:
            raise UnknownKey("a 0x01 value that no configured key opens")
        return opened[1]

    def open_legacy(self, sealed: bytes, associated_data: bytes) -> tuple[FieldCipher, bytes] | None:
        """The key that opens a 0x01 value (which does not name it) and the plaintext, if any does."""
        for cipher in (self.active, *self.retired):
            try:
                return cipher, sm4_decrypt(sealed, cipher.key, associated_data=associated_data)
            except DecryptionFailed:
                continue
        return None

    def is_current(self, sealed: bytes) -> bool:
        """Sealed in format 0x02 under the active key (nothing for a rotation to do)."""
        return bytes(sealed[: len(self.active.key_id) + 1]) == b"\x02" + self.active.key_id

    def key_label(self, kid: bytes | None) -> str:
        """How `jiesu keys status` names a key id: current, retired or unknown."""
        if kid is None:
            return "旧格式（0x01，无密钥编号）"
        if kid == self.active.key_id:
            return f"{kid.hex()}（当前密钥）"
        if kid in self.by_id:
            return f"{kid.hex()}（已退役密钥）"
        return f"{kid.hex()}（未知密钥）"

    def phone_digest(self, phone: str) -> str:
        """The search digest of `phone` under the active key; "" for a value without digits."""
        normal = phone_normalise(phone)
        return self._digesters[0].hex(normal.encode()) if normal else ""

    def phone_digests(self, phone: str) -> list[str]:
        """The digests of `phone` under every key of the ring (active first), for searching."""
        normal = phone_normalise(phone)
        return [d.hex(normal.encode()) for d in self._digesters] if normal else []


def phone_normalise(value: str) -> str:
    """The digits of a phone number, without a +86 / 0086 country prefix."""
    text = unicodedata.normalize("NFKC", value).strip()
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if digits.startswith("0086"):
        return digits[4:]
    if text.startswith("+86") or (len(digits) == 13 and digits.startswith("861")):
        return digits[2:]
    return digits


def parse_retired_keys(raw: str) -> tuple[bytes, ...]:
    """Retired keys from the setting's text: hex keys separated by commas or new lines."""
    parts = [p for p in KEY_SEPARATORS.split(raw.strip()) if p]
    return tuple(parse_field_key(part, f"{RETIRED_SETTING} 中的第 {n} 个密钥") for n, part in enumerate(parts, 1))


@lru_cache(maxsize=8)
def _keyring(active_raw: str, retired_raw: str) -> Keyring:
    return Keyring(field_key(), parse_retired_keys(retired_raw))


def keyring() -> Keyring:
    """The keyring of the current settings (cached per settings values, so tests may override them)."""
    active = str(getattr(settings, "JIESU_FIELD_KEY", "") or "")
    retired = str(getattr(settings, RETIRED_SETTING, "") or "")
    return _keyring(active, retired)


def field_seal(plaintext: bytes, *, associated_data: bytes) -> bytes:
    """Seal under the active field key (format 0x02)."""
    return keyring().seal(plaintext, associated_data)


def field_open(sealed: bytes, *, associated_data: bytes) -> bytes:
    """Open a value sealed under the active key or a retired one, in either format."""
    return keyring().open(bytes(sealed), associated_data)
