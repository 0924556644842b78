"""The second factor: TOTP enrolment and verification, recovery codes, and the reset.

The three admin roles must use it (they can do nothing until enrolled, and must give a code at
every login); anyone else may turn it on. Secrets are sealed with SM4-GCM under the field key,
bound to the user's id; recovery codes are stored as SM3 digests and work once each.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.crypto import sm3_hex
from jiesu.core.errors import ValidationFailed
from jiesu.core.keyring import field_open, field_seal
from jiesu.orgs.models import RecoveryCode, TotpDevice, User
from jiesu.orgs.security.duties import ADMIN_ROLES, denied, security_admin_refusal
from jiesu.orgs.security.totp import DIGITS, otpauth_uri, secret_to_base32, totp_match, totp_secret_new

RECOVERY_CODE_COUNT = 10
# No look-alike characters (0/o, 1/l/i), so a code read from paper is typed right.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12  # ≈ 59 bits
TOTP = "totp"
RECOVERY_CODE = "recovery_code"


@dataclass(frozen=True)
class TotpEnrolment:
    """What the enrolment page shows: the secret as text and as an otpauth:// URI."""

    secret: str
    uri: str


def user_requires_totp(user: User) -> bool:
    return user.totp_enabled or user.has_role(*ADMIN_ROLES)


def _context(user_id: int) -> bytes:
    return TotpDevice.sealed_fields["secret_sealed"].format(user_id=user_id).encode()


def _seal(user: User, key: bytes) -> bytes:
    return field_seal(key, associated_data=_context(user.pk))


def _secret(device: TotpDevice) -> bytes:
    # Opens secrets sealed under a retired key too, and those of format 0x01 (before key ids).
    return field_open(bytes(device.secret_sealed), associated_data=_context(device.user_id))


def _enrolment(user: User, key: bytes) -> TotpEnrolment:
    issuer = str(getattr(settings, "JIESU_TOTP_ISSUER", "") or "接诉12345")
    return TotpEnrolment(secret=secret_to_base32(key), uri=otpauth_uri(key=key, account=user.username, issuer=issuer))


def totp_enrolment_pending(*, user: User) -> TotpEnrolment | None:
    """The secret of an enrolment started but not yet confirmed, to show it again."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    return None if device is None else _enrolment(user, _secret(device))


@transaction.atomic
def totp_enrol_start(*, user: User) -> TotpEnrolment:
    """Draw a new secret for `user` (replacing an unconfirmed one); refused once confirmed."""
    if TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise ValidationFailed("已启用动态口令；如需更换设备，请联系安全管理员重置")
    key = totp_secret_new()
    TotpDevice.objects.update_or_create(
        user=user, defaults={"secret_sealed": _seal(user, key), "confirmed_at": None, "last_used_step": None}
    )
    return _enrolment(user, key)


def _step_accept(device: TotpDevice, code: str, now: datetime) -> bool:
    step = totp_match(_secret(device), code, now.timestamp())
    if step is None:
        return False
    # Conditional UPDATE: of two requests with the same code only one can move the step on.
    fresh = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
    return TotpDevice.objects.filter(fresh, pk=device.pk).update(last_used_step=step) == 1


def totp_enrol_confirm(*, user: User, code: str, source_address: str | None = None) -> list[str]:
    """Confirm the enrolment with a first code; returns the recovery codes, shown only once."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise ValidationFailed("请先开始绑定动态口令")
    now = timezone.now()
    if not _step_accept(device, code, now):
        audit_record(
            actor=user, action="auth.totp_enrol", obj=user, result=AuditResult.FAILURE,
            source_address=source_address, detail={"reason": "bad_code"},
        )  # fmt: skip
        raise ValidationFailed("验证码不正确，请核对手机时间后输入当前显示的 6 位数字")
    with transaction.atomic():
        TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=now)
        user.totp_enabled = True
        user.save(update_fields=["totp_enabled"])
        codes = _recovery_codes_issue(user)
        audit_record(actor=user, action="auth.totp_enrol", obj=user, source_address=source_address)
    return codes


def _recovery_hash(user: User, code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return sm3_hex(f"recovery:{user.pk}:{normalised}".encode())


def _recovery_codes_issue(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(user, c)) for c in codes])
    return codes


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def second_factor_verify(*, user: User, code: str) -> str | None:
    """Check a TOTP code (6 digits) or a recovery code; returns which one worked, or None.

    A TOTP code is refused if its step, or a later one, was already used; a recovery code is
    spent by the conditional UPDATE that accepts it."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) == DIGITS and cleaned.isdigit():
        return TOTP if _step_accept(device, cleaned, timezone.now()) else None
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=_recovery_hash(user, cleaned), used_at__isnull=True
    ).update(used_at=timezone.now())
    return RECOVERY_CODE if spent == 1 else None


def totp_reset(*, user: User, actor: User | None, source_address: str | None = None) -> None:
    """Remove `user`'s authenticator and recovery codes (security admin, never on oneself).

    An admin must enrol again before working; anyone else simply logs in with a password."""
    if reason := security_admin_refusal(actor=actor, user=user):
        raise denied(actor=actor, action="auth.totp_reset", reason=reason, obj=user, source_address=source_address)
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        user.totp_enabled = False
        user.save(update_fields=["totp_enabled"])
        audit_record(actor=actor, action="auth.totp_reset", obj=user, source_address=source_address)
