"""Saved searches (保存的查询): a user's named ticket-list queries."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction

from jiesu.core.errors import NotFound, ValidationFailed
from jiesu.orgs.models import User
from jiesu.tickets.models import SavedSearch
from jiesu.tickets.selectors import keyword_is_phone

SAVED_SEARCH_LIMIT = 50
NAME_MAX_LENGTH = 50
QUERY_MAX_LENGTH = 2000
# Where the user was in the result is not part of the query.
NOT_SAVED = {"page", "csrfmiddlewaretoken"}
KEYWORD_PARAMETER = "q"


def saved_search_query(raw: str) -> str:
    """The list's query string as stored: without a leading "?" and without the page number."""
    pairs = [(k, v) for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=False) if k not in NOT_SAVED]
    return urlencode(pairs)


@transaction.atomic
def saved_search_create(*, owner: User, name: str, query: str) -> SavedSearch:
    name = name.strip()
    if not name:
        raise ValidationFailed("请填写查询名称", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(f"查询名称不能超过 {NAME_MAX_LENGTH} 个字", field="name")
    stored = saved_search_query(query)
    if len(stored) > QUERY_MAX_LENGTH:
        raise ValidationFailed("查询条件过长，无法保存", field="query")
    # A saved query is kept in clear and shown again later: a requester's phone has no place in it.
    if any(k == KEYWORD_PARAMETER and keyword_is_phone(v) for k, v in parse_qsl(stored)):
        raise ValidationFailed("保存的查询不能包含联系电话，请改用其他条件", field="query")
    # Lock the owner's row so that two saves at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=owner.pk).first()
    mine = SavedSearch.objects.filter(owner=owner)
    if mine.filter(name=name).exists():
        raise ValidationFailed(f"已有同名的查询：{name}", field="name")
    if mine.count() >= SAVED_SEARCH_LIMIT:
        raise ValidationFailed(f"每人最多保存 {SAVED_SEARCH_LIMIT} 个查询，请先删除不用的", field="name")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(owner=owner, name=name, query=stored)
    except IntegrityError as exc:
        raise ValidationFailed(f"已有同名的查询：{name}", field="name") from exc


@transaction.atomic
def saved_search_delete(*, owner: User, pk: int) -> None:
    deleted, _ = SavedSearch.objects.filter(owner=owner, pk=pk).delete()
    if not deleted:
        raise NotFound("查询不存在或不属于您")
