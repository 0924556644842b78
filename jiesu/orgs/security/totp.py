"""One-time passwords, RFC 4226 (HOTP) and RFC 6238 (TOTP): pure functions, no database.

A code is the HMAC of a counter, dynamically truncated to `digits` decimal digits; for TOTP
the counter is the number of `period`-second steps since the Unix epoch. `totp_match` accepts
one step either side of now for clock drift and returns the step that matched, so the caller
can refuse a step already used (RFC 6238 §5.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import quote, urlencode

PERIOD = 30
DIGITS = 6
WINDOW = 1
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 output size RFC 4226 §4 recommends
ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC the 8-byte counter, take 31 bits at the offset given by the last nibble."""
    mac = hmac.new(key, counter.to_bytes(8, "big"), ALGORITHMS[algorithm]).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_step(at: float, *, period: int = PERIOD) -> int:
    return int(at // period)


def totp(key: bytes, at: float, *, period: int = PERIOD, digits: int = DIGITS, algorithm: str = "sha1") -> str:
    """The code valid at Unix time `at`."""
    return hotp(key, totp_step(at, period=period), digits=digits, algorithm=algorithm)


def totp_match(
    key: bytes,
    code: str,
    at: float,
    *,
    window: int = WINDOW,
    period: int = PERIOD,
    digits: int = DIGITS,
    algorithm: str = "sha1",
) -> int | None:
    """The step within ±`window` of `at` whose code is `code`, or None."""
    code = code.strip()
    if len(code) != digits or not code.isascii() or not code.isdigit():
        return None
    now = totp_step(at, period=period)
    matched = None
    for step in range(now - window, now + window + 1):
        # Every candidate is compared, so the time taken does not tell which step was near.
        if hmac.compare_digest(hotp(key, step, digits=digits, algorithm=algorithm), code):
            matched = step
    return matched


def totp_secret_new() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def secret_to_base32(key: bytes) -> str:
    """The form authenticator apps accept: RFC 4648 base32 without padding."""
    return base64.b32encode(key).decode("ascii").rstrip("=")


def secret_from_base32(text: str) -> bytes:
    cleaned = text.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def otpauth_uri(*, key: bytes, account: str, issuer: str) -> str:
    """The Key Uri Format understood by authenticator apps (otpauth://totp/Issuer:account?...)."""
    label = quote(f"{issuer}:{account}", safe=":")
    query = urlencode(
        {"secret": secret_to_base32(key), "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": PERIOD},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
