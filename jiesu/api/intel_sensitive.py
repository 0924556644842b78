"""Sensitive-content and remit endpoints: check a text against the lexicon in force, read that
lexicon, and the remit verdict of one ticket. Thin: parse, check who asks, call jiesu.intel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Router, Schema

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.core.errors import NotFound, PermissionDenied
from jiesu.intel.remit import REMIT_STATUSES, remit_check
from jiesu.intel.sensitive.lexicon import LABELS, lexicon_in_force, lexicon_matcher, lexicon_terms
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["敏感内容与职责核查"])
ticket_router = Router(tags=["敏感内容与职责核查"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]
MAX_TEXT = 20_000


def _center_staff(request: HttpRequest) -> User:
    user = request_user(request)
    if user.unit is None or user.unit.kind != UnitKind.CENTER:
        raise PermissionDenied("只有热线中心人员可以使用敏感词检查")
    return user


class CheckIn(Schema):
    text: str = Field(max_length=MAX_TEXT, description="要检查的文字")


class HitOut(Schema):
    category: str = Field(
        description="类别编码：threat_to_life / self_harm / group_incident / safety_hazard / public_opinion"
    )
    category_label: str
    text: str = Field(description="命中的原文")
    start: int = Field(description="在原文中的起始位置（字符，含）")
    end: int = Field(description="结束位置（字符，不含）")
    term: str = Field(description="词库中的词语或正则表达式")


class CheckOut(Schema):
    lexicon: str | None = Field(description="所用词库版本编码；没有有效版本时为空")
    hits: list[HitOut]


class TermOut(Schema):
    category: str
    category_label: str
    pattern: str
    is_regex: bool


class LexiconOut(Schema):
    code: str
    name: str
    valid_from: date
    valid_to: date | None
    terms: list[TermOut]


@router.post("/sensitive-check", response=responses({200: CheckOut}, 400), summary="敏感词检查")
def sensitive_check_endpoint(request: HttpRequest, body: CheckIn) -> CheckOut:
    _center_staff(request)
    lexicon = lexicon_in_force(on=timezone.localdate())
    hits = lexicon_matcher(lexicon).find(body.text) if lexicon else []
    return CheckOut(
        lexicon=lexicon.code if lexicon else None,
        hits=[
            HitOut(
                category=h.category,
                category_label=LABELS.get(h.category, h.category),
                text=h.text,
                start=h.start,
                end=h.end,
                term=h.term,
            )
            for h in hits
        ],
    )


@router.get("/lexicon", response=responses({200: LexiconOut}, 404), summary="现行敏感词库")
def lexicon_endpoint(request: HttpRequest) -> LexiconOut:
    _center_staff(request)
    lexicon = lexicon_in_force(on=timezone.localdate())
    if lexicon is None:
        raise NotFound("当前没有有效的敏感词库版本")
    return LexiconOut(
        code=lexicon.code,
        name=lexicon.name,
        valid_from=lexicon.valid_from,
        valid_to=lexicon.valid_to,
        terms=[
            TermOut(
                category=t.category,
                category_label=LABELS.get(t.category, t.category),
                pattern=t.pattern,
                is_regex=t.is_regex,
            )
            for t in lexicon_terms(lexicon)
        ],
    )


class RemitEntryOut(Schema):
    entry_id: int
    title: str
    unit_id: int | None
    unit_name: str
    legal_basis: str


class RemitReturnOut(Schema):
    number: str
    title: str
    kind: str
    kind_label: str
    reason: str
    occurred_at: datetime
    returned_by: str
    owner: str


class RemitOut(Schema):
    likely_outside: bool = Field(description="是否可能不属于职责范围（建议申请退单；系统不会自动退单）")
    outside_center: bool = Field(description="是否可能不属于本中心（建议退回上级平台）")
    suggestion: str
    reasons: list[str]
    likely_owner: str
    likely_owner_unit_id: int | None
    entries: list[RemitEntryOut]
    returns: list[RemitReturnOut]


@ticket_router.get(
    "/{number}/remit",
    response=responses({200: RemitOut}, 404),
    summary="职责范围核查",
    description="依据权责清单和相似工单的退单记录，判断工单是否可能不属于职责范围；仅为退单建议。",
)
def ticket_remit_endpoint(request: HttpRequest, number: Number) -> RemitOut:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    if user.unit is None or user.unit.kind != UnitKind.CENTER or not user.has_role(Role.AGENT, Role.SHIFT_LEAD):
        raise PermissionDenied("只有热线中心的坐席或班长可以查看职责范围核查")
    verdict = remit_check(ticket, viewer=user) if ticket.status in REMIT_STATUSES else None
    if verdict is None:
        return RemitOut(
            likely_outside=False,
            outside_center=False,
            suggestion="",
            reasons=[],
            likely_owner="",
            likely_owner_unit_id=None,
            entries=[],
            returns=[],
        )
    return RemitOut(
        likely_outside=True,
        outside_center=verdict.outside_center,
        suggestion=verdict.suggestion,
        reasons=verdict.reasons,
        likely_owner=verdict.likely_owner,
        likely_owner_unit_id=verdict.likely_owner_unit_id,
        entries=[RemitEntryOut(**vars(e)) for e in verdict.entries],
        returns=[RemitReturnOut(**vars(r)) for r in verdict.returns],
    )
