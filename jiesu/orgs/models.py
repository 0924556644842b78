from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from jiesu.core.models import BaseModel
from jiesu.orgs.choices import Role, UnitKind


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


class User(AbstractUser):
    """A person who works in Jiesu; belongs to one unit and holds roles there."""

    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("电话", max_length=32, blank=True)

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
