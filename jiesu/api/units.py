"""Reference data for clients: units (for dispatch and filters) and the category tree."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from jiesu.api.errors import responses
from jiesu.api.presenters import category_out, unit_out
from jiesu.api.schemas import CategoryListOut, Text100, UnitListOut
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category

router = Router(tags=["基础数据"])


class UnitFilterIn(Schema):
    q: Text100 | None = Field(None, description="名称中的关键词，或编码前缀")
    kind: UnitKind | None = None
    include_inactive: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class CategoryFilterIn(Schema):
    q: Text100 | None = Field(None, description="名称中的关键词，或编码前缀")
    level: int | None = Field(None, ge=1, le=5)
    include_inactive: bool = False


@router.get("/units", response=responses({200: UnitListOut}), summary="单位查询")
def unit_list_endpoint(request: HttpRequest, filters: Query[UnitFilterIn]) -> UnitListOut:
    qs = Unit.objects.all()
    if not filters.include_inactive:
        qs = qs.filter(is_active=True)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    page = qs.order_by("level", "path", "id")[filters.offset : filters.offset + filters.limit]
    return UnitListOut(count=qs.count(), items=[unit_out(u) for u in page])


@router.get("/categories", response=responses({200: CategoryListOut}), summary="问题分类")
def category_list_endpoint(request: HttpRequest, filters: Query[CategoryFilterIn]) -> CategoryListOut:
    qs = Category.objects.all()
    if not filters.include_inactive:
        qs = qs.filter(is_active=True)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(full_name__icontains=filters.q) | Q(code__startswith=filters.q))
    items = [category_out(c) for c in qs.order_by("path", "id")]
    return CategoryListOut(count=len(items), items=items)
