"""Login failures per account name and per source address, counted in the database.

After `lockout_failures` failures of one account name within `failure_window_seconds` the
account is locked for `lockout_seconds`; after `address_lockout_failures` failures from one
address (any account names: password spraying) the address is. While locked, even the right
password is refused. A success resets the account's count; the address keeps its count so a
sprayer who knows one password cannot reset it. Names that do not exist are counted like real
ones, so a lock reveals nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.orgs.models import AuthPolicy, LoginThrottle, ThrottleScope, User
from jiesu.orgs.security.duties import denied, security_admin_refusal

KEY_MAX = 150
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class LoginLock:
    """An active lock: which scope, on what key, until when."""

    scope: str
    key: str
    until: datetime

    @property
    def message(self) -> str:
        minutes = max(1, -(-int((self.until - timezone.now()).total_seconds()) // 60))
        if self.scope == ThrottleScope.ADDRESS:
            return f"该网络地址登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试"
        return f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁"


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(ThrottleScope.ACCOUNT.value, username[:KEY_MAX])]
    if address:
        keys.append((ThrottleScope.ADDRESS.value, address[:KEY_MAX]))
    return keys


def login_lock_get(*, username: str, address: str | None, now: datetime | None = None) -> LoginLock | None:
    """The lock that refuses this login, if any (the account's first, then the address's)."""
    now = now or timezone.now()
    match = Q()
    for scope, key in _keys(username, address):
        match |= Q(scope=scope, key=key)
    rows = LoginThrottle.objects.filter(match, locked_until__gt=now).order_by("scope")
    row = next(iter(rows), None)
    return None if row is None or row.locked_until is None else LoginLock(row.scope, row.key, row.locked_until)


def _count(scope: str, key: str, limit: int, policy: AuthPolicy, now: datetime) -> LoginLock | None:
    """Count one failure on (scope, key); returns the lock this failure started, if it did."""
    LoginThrottle.objects.get_or_create(scope=scope, key=key)
    row = LoginThrottle.objects.select_for_update().get(scope=scope, key=key)
    if row.locked_until is not None and row.locked_until > now:
        return None
    window = timedelta(seconds=policy.failure_window_seconds)
    if row.window_started_at is None or now - row.window_started_at > window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    lock = None
    if row.failures >= limit:
        # The lock replaces the count: once it expires the account has a fresh allowance.
        row.locked_until = now + timedelta(seconds=policy.lockout_seconds)
        row.failures, row.window_started_at = 0, None
        lock = LoginLock(scope, key, row.locked_until)
    row.save(update_fields=["failures", "window_started_at", "locked_until", "updated_at"])
    return lock


@transaction.atomic
def login_failure_count(*, username: str, address: str | None, policy: AuthPolicy) -> list[LoginLock]:
    """Count a failed login on the account name and the address; returns the locks it started."""
    now = timezone.now()
    limits = {
        ThrottleScope.ACCOUNT.value: policy.lockout_failures,
        ThrottleScope.ADDRESS.value: policy.address_lockout_failures,
    }
    locks = []
    for scope, key in _keys(username, address):
        if limits[scope] > 0 and (lock := _count(scope, key, limits[scope], policy, now)) is not None:
            locks.append(lock)
    LoginThrottle.objects.filter(updated_at__lt=now - FORGET_AFTER).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    ).delete()
    return locks


def login_failures_reset(*, username: str) -> None:
    """A successful login forgets the account's failures (never its address's)."""
    LoginThrottle.objects.filter(scope=ThrottleScope.ACCOUNT, key=username[:KEY_MAX], locked_until__isnull=True).update(
        failures=0, window_started_at=None
    )


def login_locks_active(*, now: datetime | None = None) -> list[LoginThrottle]:
    """Every lock in force, soonest to expire first (the security admin's unlock page)."""
    return list(LoginThrottle.objects.filter(locked_until__gt=now or timezone.now()).order_by("locked_until"))


def login_lock_clear(*, scope: str, key: str, actor: User | None, source_address: str | None = None) -> bool:
    """Lift a lock and its count before it expires (security admin only). False if none was set."""
    detail = {"scope": scope, "key": key}
    if reason := security_admin_refusal(actor=actor):
        raise denied(actor=actor, action="auth.unlock", reason=reason, source_address=source_address, detail=detail)
    with transaction.atomic():
        cleared = LoginThrottle.objects.filter(scope=scope, key=key[:KEY_MAX], locked_until__gt=timezone.now()).update(
            locked_until=None, failures=0, window_started_at=None
        )
        if cleared:
            audit_record(actor=actor, action="auth.unlock", source_address=source_address, detail=detail)
    return bool(cleared)


def account_unlock(*, user: User, actor: User | None, source_address: str | None = None) -> bool:
    """Unlock `user`'s account name (security admin only, never one's own)."""
    if reason := security_admin_refusal(actor=actor, user=user):
        raise denied(actor=actor, action="auth.unlock", reason=reason, obj=user, source_address=source_address)
    return login_lock_clear(scope=ThrottleScope.ACCOUNT, key=user.username, actor=actor, source_address=source_address)
