"""The caller's saved ticket-list searches: list, create, delete. Nobody sees or deletes another
user's saved searches: those answer 404, as if they did not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Path, Router, Schema, Status
from pydantic import Field

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.api.schemas import MAX_ID, NO_NUL
from jiesu.tickets.models import SavedSearch
from jiesu.tickets.selectors_search import saved_searches_of
from jiesu.tickets.services.saved_searches import saved_search_create, saved_search_delete

router = Router(tags=["保存的查询"])

SavedSearchId = Annotated[int, Path(description="保存的查询 id", ge=1, le=MAX_ID)]


class SavedSearchIn(Schema):
    name: str = Field(max_length=200, pattern=NO_NUL, description="名称（不超过 50 字，同一用户内不重复）")
    query: str = Field("", max_length=4000, pattern=NO_NUL, description="工单列表的查询串，如 q=噪音&status=handling")


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    created_at: datetime


def saved_search_out(saved: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut(id=saved.pk, name=saved.name, query=saved.query, created_at=saved.created_at)


@router.get("", response=responses({200: list[SavedSearchOut]}), summary="我保存的查询")
def saved_search_list_endpoint(request: HttpRequest) -> list[SavedSearchOut]:
    return [saved_search_out(s) for s in saved_searches_of(owner=request_user(request))]


@router.post("", response=responses({201: SavedSearchOut}, 400), summary="保存一个查询")
def saved_search_create_endpoint(request: HttpRequest, payload: SavedSearchIn) -> Status[SavedSearchOut]:
    saved = saved_search_create(owner=request_user(request), name=payload.name, query=payload.query)
    return Status(201, saved_search_out(saved))


@router.delete("/{pk}", response=responses({204: None}, 404), summary="删除保存的查询")
def saved_search_delete_endpoint(request: HttpRequest, pk: SavedSearchId) -> Status[None]:
    saved_search_delete(owner=request_user(request), pk=pk)
    return Status(204, None)
