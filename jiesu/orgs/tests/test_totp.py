"""RFC 4226 / RFC 6238 one-time passwords against the RFCs' own test vectors (no database)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from jiesu.orgs.security.totp import (
    hotp,
    otpauth_uri,
    secret_from_base32,
    secret_to_base32,
    totp,
    totp_match,
    totp_secret_new,
)

# RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's block-ish length.
SEED_SHA1 = b"12345678901234567890"
SEED_SHA256 = b"12345678901234567890123456789012"
SEED_SHA512 = b"1234567890123456789012345678901234567890123456789012345678901234"
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
# RFC 4226 Appendix D: HOTP values for counters 0..9.
RFC4226 = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]


@pytest.mark.parametrize(("at", "sha1", "sha256", "sha512"), RFC6238)
def test_totp_matches_the_rfc_6238_vectors(at: int, sha1: str, sha256: str, sha512: str) -> None:
    assert totp(SEED_SHA1, at, digits=8) == sha1
    assert totp(SEED_SHA256, at, digits=8, algorithm="sha256") == sha256
    assert totp(SEED_SHA512, at, digits=8, algorithm="sha512") == sha512


@pytest.mark.parametrize(("counter", "expected"), list(enumerate(RFC4226)))
def test_hotp_matches_the_rfc_4226_vectors(counter: int, expected: str) -> None:
    assert hotp(SEED_SHA1, counter) == expected


def test_six_digit_codes_are_the_last_six_digits_of_the_eight_digit_ones() -> None:
    assert totp(SEED_SHA1, 1111111109) == "081804"


def test_a_code_is_accepted_one_step_either_side_and_returns_its_step() -> None:
    at = 1111111111  # step 37037037
    step = at // 30
    assert totp_match(SEED_SHA1, totp(SEED_SHA1, at), at) == step
    assert totp_match(SEED_SHA1, totp(SEED_SHA1, at - 30), at) == step - 1
    assert totp_match(SEED_SHA1, totp(SEED_SHA1, at + 30), at) == step + 1


def test_a_code_two_steps_away_or_malformed_is_refused() -> None:
    at = 1111111111
    assert totp_match(SEED_SHA1, totp(SEED_SHA1, at - 60), at) is None
    assert totp_match(SEED_SHA1, totp(SEED_SHA1, at + 60), at) is None
    assert totp_match(SEED_SHA1, "12345", at) is None
    assert totp_match(SEED_SHA1, "abcdef", at) is None
    assert totp_match(SEED_SHA1, "１２３４５６", at) is None  # full-width digits are not digits here


def test_secrets_are_160_random_bits_and_survive_base32() -> None:
    key = totp_secret_new()
    assert len(key) == 20 and key != totp_secret_new()
    text = secret_to_base32(key)
    assert "=" not in text and secret_from_base32(text.lower()) == key


def test_the_otpauth_uri_carries_issuer_account_and_parameters() -> None:
    uri = otpauth_uri(key=SEED_SHA1, account="secadmin", issuer="接诉12345")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert parts.path == "/%E6%8E%A5%E8%AF%8912345:secadmin"
    query = parse_qs(parts.query)
    assert query["secret"] == [secret_to_base32(SEED_SHA1)]
    assert query["issuer"] == ["接诉12345"]
    assert query["digits"] == ["6"] and query["period"] == ["30"] and query["algorithm"] == ["SHA1"]
