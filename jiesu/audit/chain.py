"""The HMAC-SM3 hash chain over audit entries: key, canonical serialisation and entry hash.

Each entry's hash covers its own fields and the previous entry's hash, so editing, deleting,
inserting or reordering any stored line breaks the chain. The key is what stops someone with write
access to the database from simply recomputing the chain after an edit: it lives outside the
database (JIESU_AUDIT_KEY or JIESU_AUDIT_KEY_FILE).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, NoReturn

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.ipv6 import clean_ipv6_address

log = logging.getLogger("jiesu.audit")

# previous_hash of the very first entry of a chain that has never been purged.
GENESIS_HASH = "0" * 64

_encode_string: Callable[[str], str] = json.encoder.encode_basestring


def _not_json(value: object) -> NoReturn:
    raise TypeError(f"审计明细只能包含 JSON 类型，不能是 {type(value).__name__}")


# Sorted-key compact JSON straight from the C encoder: the detail is encoded for every entry that
# verification checks, and JSONEncoder.encode costs nearly twice as much per call.
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
if _c_make_encoder is not None:
    _detail_chunks = _c_make_encoder(None, _not_json, _encode_string, None, ":", ",", True, False, False)

    def encode_detail(detail: dict[str, Any]) -> str:
        return "".join(_detail_chunks(detail, 0))

else:  # pragma: no cover - CPython always has the C encoder
    _encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    def encode_detail(detail: dict[str, Any]) -> str:
        return _encoder.encode(detail)


@lru_cache(maxsize=4)
def _keyed_hmac(audit_key: str, secret_key: str) -> hmac.HMAC:
    if audit_key:
        return hmac.HMAC(audit_key.encode(), hashes.SM3())
    # Without a dedicated key the chain still detects edits by anyone who lacks SECRET_KEY; a
    # separate key lets the trail survive a SECRET_KEY rotation and keeps the two secrets apart.
    log.warning("JIESU_AUDIT_KEY 未设置：审计哈希链密钥由 SECRET_KEY 派生，生产环境请单独配置")
    derive = hmac.HMAC(secret_key.encode(), hashes.SM3())
    derive.update(b"jiesu.audit.chain.v1")
    return hmac.HMAC(derive.finalize(), hashes.SM3())


def chain_hmac() -> hmac.HMAC:
    """A keyed HMAC-SM3 context to `copy()` per entry (copying skips the key schedule)."""
    return _keyed_hmac(getattr(settings, "JIESU_AUDIT_KEY", ""), settings.SECRET_KEY)


def canonical_source_address(value: str | None) -> str | None:
    """The one spelling of an address used both when writing and when verifying.

    Databases print IPv6 addresses their own way (PostgreSQL's inet); parsing them back gives the
    same text for the same address. Anything that is not an address is not stored.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 4:
        return str(address)
    return clean_ipv6_address(str(address))


def _json_stable(value: Any) -> Any:
    # Integral floats beyond 2**53 come back from PostgreSQL's jsonb as integers; store them as
    # integers from the start so the canonical text is the same before and after the round trip.
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("审计明细不能包含 NaN 或无穷大")
        return int(value) if value.is_integer() and abs(value) >= 2**53 else value
    if isinstance(value, dict):
        return {str(k): _json_stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_stable(v) for v in value]
    return value


def normalise_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail exactly as the database will give it back (plain JSON types only)."""
    if not detail:
        return {}
    plain = json.loads(json.dumps(detail, cls=DjangoJSONEncoder))
    stable: dict[str, Any] = _json_stable(plain)
    return stable


def occurred_at_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_bytes(
    *,
    sequence: int,
    occurred_at: str,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    result: str,
    source_address: str | None,
    detail: dict[str, Any],
    previous_hash: str,
) -> bytes:
    """Sorted-key compact JSON of the entry, byte for byte what `json.dumps(sort_keys=True)` gives.

    Written out by hand because verification runs it a million times; a test proves the equality.
    """
    text = (
        f'{{"action":{_encode_string(action)},'
        f'"actor":{"null" if actor_id is None else int(actor_id)},'
        f'"detail":{encode_detail(detail) if detail else "{}"},'
        f'"object_id":{_encode_string(object_id)},'
        f'"object_type":{_encode_string(object_type)},'
        f'"occurred_at":{_encode_string(occurred_at)},'
        f'"previous_hash":{_encode_string(previous_hash)},'
        f'"result":{_encode_string(result)},'
        f'"sequence":{int(sequence)},'
        f'"source_address":{"null" if source_address is None else _encode_string(source_address)}}}'
    )
    return text.encode()


def entry_hash(base: hmac.HMAC, payload: bytes) -> str:
    mac = base.copy()
    mac.update(payload)
    return mac.finalize().hex()
