"""The steps of a login after the password, and the audit line of every login event.

A password login (`backends.LockoutModelBackend`) may need more before a session starts:
the second factor when the user has one (`login_code_check`), and a new password when the old
one has expired or was set by an admin (`passwords.user_set_password`). `login_succeeded`
closes a complete login. Failures count towards the lockout; refusals while locked do not.
Audit actions: `auth.login` (success or failure with a reason), `auth.lockout`, `auth.logout`.
"""

from __future__ import annotations

from django.db import models

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import DomainError, ValidationFailed
from jiesu.orgs.models import User
from jiesu.orgs.security.lockout import LoginLock, login_failure_count, login_failures_reset, login_lock_get
from jiesu.orgs.security.mfa import second_factor_verify
from jiesu.orgs.security.policy import auth_policy_current


class FailureReason(models.TextChoices):
    BAD_PASSWORD = "bad_password", "用户名或密码错误"
    LOCKED = "locked", "账号或来源地址已锁定"
    PASSWORD_EXPIRED = "password_expired", "密码已过期，须修改"
    BAD_CODE = "bad_code", "动态验证码错误"


class LoginLocked(DomainError):
    code = "login_locked"
    status = 403
    default_message = "登录失败次数过多，已暂时锁定"

    def __init__(self, lock: LoginLock) -> None:
        super().__init__(lock.message, scope=lock.scope, until=lock.until.isoformat())
        self.lock = lock


def login_failed(
    *, username: str, source_address: str | None, reason: str, user: User | None = None
) -> list[LoginLock]:
    """A wrong password or code: count it for the lockout and audit it (and any lock it starts)."""
    locks = login_failure_count(username=username, address=source_address, policy=auth_policy_current())
    login_refused(username=username, source_address=source_address, reason=reason, user=user)
    for lock in locks:
        audit_record(
            actor=None,
            action="auth.lockout",
            obj=user,
            result=AuditResult.FAILURE,
            source_address=source_address,
            detail={"scope": lock.scope, "key": lock.key, "until": lock.until.isoformat()},
        )
    return locks


def login_refused(*, username: str, source_address: str | None, reason: str, user: User | None = None) -> None:
    """Audit a login that did not happen, without counting it (locked, expired password)."""
    audit_record(
        actor=None,
        action="auth.login",
        obj=user,
        result=AuditResult.FAILURE,
        source_address=source_address,
        detail={"username": username[:150], "reason": reason},
    )


def login_code_check(*, user: User, code: str, source_address: str | None) -> str:
    """The second step: returns "totp" or "recovery_code"; raises LoginLocked or ValidationFailed."""
    lock = login_lock_get(username=user.username, address=source_address)
    if lock is not None:
        login_refused(username=user.username, source_address=source_address, reason=FailureReason.LOCKED, user=user)
        raise LoginLocked(lock)
    method = second_factor_verify(user=user, code=code)
    if method is None:
        locks = login_failed(
            username=user.username, source_address=source_address, reason=FailureReason.BAD_CODE, user=user
        )
        if locks:
            raise LoginLocked(locks[0])
        raise ValidationFailed("动态验证码不正确或已使用过，请输入手机上当前显示的 6 位数字，或一个未用过的恢复码")
    return method


def login_succeeded(*, user: User, source_address: str | None, second_factor: str | None = None) -> None:
    """A complete login: forget the account's failures and audit it."""
    login_failures_reset(username=user.username)
    audit_record(
        actor=user,
        action="auth.login",
        obj=user,
        source_address=source_address,
        detail={"second_factor": second_factor or ""},
    )


def logout_record(*, user: User, source_address: str | None, reason: str = "user") -> None:
    """Audit the end of a session: "user" (logged out), "idle" or "expired" (timeouts)."""
    audit_record(actor=user, action="auth.logout", obj=user, source_address=source_address, detail={"reason": reason})
