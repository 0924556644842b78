from __future__ import annotations

import hashlib
import secrets
from datetime import date
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.orgs.choices import Role, UnitKind, admin_role_allows, admin_role_allows_app


class Unit(BaseModel):
    """A node of the organisation tree: a territorial unit (city → district → township →
    community) or a department of any kind hung anywhere in the tree.

    `path` is a materialised path of primary keys ("/1/7/42/") so that a subtree is one
    indexed prefix query.
    """

    code = models.CharField("编码", max_length=32, blank=True, db_index=True)
    name = models.CharField("名称", max_length=128)
    kind = models.CharField("类型", max_length=32, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField("层级", default=1)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=64, blank=True)
    duty_phone = models.CharField("值班电话", max_length=64, blank=True)
    email = models.EmailField("邮箱", blank=True)
    is_active = models.BooleanField("启用", default=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="unit_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Unit) -> bool:
        """True when self is `other` or one of its descendants."""
        return bool(self.path) and self.path.startswith(other.path)

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class JiesuUserManager(UserManager["User"]):
    """Django's manager without superusers: an all-powerful account would defeat 三员分立."""

    def create_superuser(self, *args: Any, **kwargs: Any) -> User:
        raise PermissionError("接诉不使用超级用户：请用 `jiesu createadmin` 创建系统/安全/审计管理员")


class User(AbstractUser):
    """A person who works in Jiesu; belongs to one unit and holds roles there."""

    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)
    # Set by orgs.security.passwords; until then the maximum age counts from date_joined.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("下次登录须改密码", default=False)
    # Kept in step with TotpDevice by the services, so the per-request check needs no query.
    totp_enabled = models.BooleanField("已启用动态口令", default=False)

    objects = JiesuUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def roles(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """Django-admin permissions follow the roles (there are no superusers in Jiesu)."""
        if self.is_active and self.is_staff and admin_role_allows(self.roles, perm):
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_staff and admin_role_allows_app(self.roles, app_label):
            return True
        return super().has_module_perms(app_label)


class RoleGrant(models.Model):
    """A role held by a user (a user may hold several)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_grant_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(BaseModel):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    @staticmethod
    def new_raw_token() -> str:
        return "js_" + secrets.token_urlsafe(32)


# --- Authentication security (jiesu.orgs.security) ---


class AuthPolicy(models.Model):
    """One version of the password and lockout policy (身份鉴别策略); the newest row applies.

    Changing the policy adds a row, so what applied when stays on record. Without any row the
    field defaults apply; they follow common 等保 level-3 assessor practice (domain-rules §12.1).
    """

    version = models.PositiveIntegerField("版本", unique=True)
    min_length = models.PositiveSmallIntegerField(
        "密码最小长度", default=8, validators=[MinValueValidator(6), MaxValueValidator(128)]
    )
    min_classes = models.PositiveSmallIntegerField(
        "至少包含字符类别数",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="小写字母、大写字母、数字、符号四类中至少几类",
    )
    history_count = models.PositiveSmallIntegerField(
        "不得重复最近几次密码", default=5, validators=[MaxValueValidator(24)]
    )
    max_age_days = models.PositiveSmallIntegerField(
        "密码最长使用天数", default=90, validators=[MaxValueValidator(3650)], help_text="0 表示不过期"
    )
    min_age_days = models.PositiveSmallIntegerField(
        "密码最短使用天数", default=1, validators=[MaxValueValidator(365)], help_text="期间不能再次自行修改"
    )
    lockout_failures = models.PositiveSmallIntegerField(
        "账号连续失败几次锁定", default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    address_lockout_failures = models.PositiveIntegerField(
        "同一来源地址失败几次锁定",
        default=20,
        validators=[MaxValueValidator(100000)],
        help_text="0 表示不按地址锁定",
    )
    failure_window_seconds = models.PositiveIntegerField(
        "失败计数时间窗（秒）", default=900, validators=[MinValueValidator(60), MaxValueValidator(86400)]
    )
    lockout_seconds = models.PositiveIntegerField(
        "锁定时长（秒）", default=300, validators=[MinValueValidator(60), MaxValueValidator(86400)]
    )
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "身份鉴别策略"
        verbose_name_plural = "身份鉴别策略"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"身份鉴别策略 v{self.version}"


class PasswordHistory(models.Model):
    """A hash of a password a user has had, so the last N cannot be chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", "账号"
    ADDRESS = "address", "来源地址"


class LoginThrottle(models.Model):
    """Recent login failures of one account name or one source address, and its lock.

    Kept in the database so that every web process sees the same counts."""

    scope = models.CharField(max_length=16, choices=ThrottleScope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_unique"),
            models.CheckConstraint(condition=Q(scope__in=ThrottleScope.values), name="login_throttle_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"


class TotpDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238). The secret is sealed with SM4 (jiesu.core.crypto)."""

    # For `jiesu keys rotate` (jiesu.core.sealing): the associated data the secret is sealed with.
    sealed_fields: ClassVar[dict[str, str]] = {"secret_sealed": "totp:{user_id}"}

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret_sealed = models.BinaryField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The newest time step accepted: a code of that step or an older one is a replay.
    last_used_step = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} · 动态口令"


class RecoveryCode(models.Model):
    """A one-time code that stands in for the TOTP code when the phone is lost; stored as SM3."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique")]

    def __str__(self) -> str:
        return f"{self.user} · 恢复码"


class RateCounter(models.Model):
    """Requests counted for one key (API user or address) in one fixed time window."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M}"
