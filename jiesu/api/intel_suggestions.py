"""Ticket suggestions: `GET /api/tickets/{number}/suggestions` (the active model's top 3 per field,
computed on request when missing) and `GET /api/intel/models` (versions and their figures)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema

from jiesu.api.auth import request_user
from jiesu.api.errors import responses
from jiesu.core.errors import PermissionDenied
from jiesu.intel.suggest.permissions import can_read_models, can_see_suggestions
from jiesu.intel.suggest.registry import active_version
from jiesu.intel.suggest.selectors import (
    acceptance_recent,
    head_label,
    model_versions,
    suggestion_latest,
    suggestion_rows,
)
from jiesu.intel.suggest.services import suggestions_make
from jiesu.tickets.selectors import ticket_get_for

router = Router(tags=["智能建议"])
Number = Annotated[str, Path(description="工单编号", pattern=r"^[0-9A-Za-z_-]{1,32}$")]


class CandidateOut(Schema):
    value: str = Field(description="取值：问题分类与主办单位为 id，诉求类型与紧急程度为编码")
    label: str
    confidence: float = Field(description="置信度 0–1")


class FieldSuggestionOut(Schema):
    field: str = Field(description="category_1…category_5（问题分类各级）、kind、urgency、lead_unit")
    label: str
    candidates: list[CandidateOut]


class TicketSuggestionsOut(Schema):
    model_version: int | None = Field(description="给出建议的模型版本；尚无启用的模型时为空")
    created_at: datetime | None
    fields: list[FieldSuggestionOut]


class HeadFiguresOut(Schema):
    field: str
    label: str
    rows: int
    accuracy: float | None = None
    macro_f1: float | None = None
    top3_accuracy: float | None = None


class ModelVersionOut(Schema):
    version: int
    is_active: bool
    trained_at: datetime
    rows: int
    sha256: str
    note: str
    heads: list[HeadFiguresOut]


class AcceptanceOut(Schema):
    field: str
    total: int
    accepted: int
    rate: float | None


class ModelsOut(Schema):
    versions: list[ModelVersionOut]
    acceptance_30_days: list[AcceptanceOut]


@router.get(
    "/tickets/{number}/suggestions",
    response=responses({200: TicketSuggestionsOut}, 404),
    summary="工单的智能建议",
    description="问题分类（各级）、诉求类型、紧急程度、主办单位的前 3 个建议及置信度（中心坐席、班长）。",
)
def ticket_suggestions_endpoint(request: HttpRequest, number: Number) -> TicketSuggestionsOut:
    user = request_user(request)
    ticket = ticket_get_for(viewer=user, number=number)
    if not can_see_suggestions(user):
        raise PermissionDenied("无权查看智能建议")
    suggestion = suggestion_latest(ticket.pk)
    active = active_version()
    if active is not None and (suggestion is None or suggestion.model_version_id != active.pk):
        suggestion = suggestions_make(ticket) or suggestion
    if suggestion is None:
        return TicketSuggestionsOut(model_version=None, created_at=None, fields=[])
    return TicketSuggestionsOut(
        model_version=suggestion.model_version.version,
        created_at=suggestion.created_at,
        fields=[
            FieldSuggestionOut(field=r.head, label=r.label, candidates=[CandidateOut(**c) for c in r.candidates])
            for r in suggestion_rows(suggestion)
        ],
    )


def _heads(evaluation: dict[str, Any]) -> list[HeadFiguresOut]:
    heads = evaluation.get("heads") or {}
    return [
        HeadFiguresOut(
            field=h,
            label=head_label(h),
            rows=int(f.get("rows", 0)),
            accuracy=f.get("accuracy"),
            macro_f1=f.get("macro_f1"),
            top3_accuracy=f.get("top3_accuracy"),
        )
        for h, f in heads.items()
    ]


@router.get(
    "/intel/models",
    response=responses({200: ModelsOut}),
    summary="智能建议模型版本",
    description="各版本的样本数、留出评估（准确率、宏平均 F1、前 3 命中率）和近 30 天采纳率",
)
def models_endpoint(request: HttpRequest) -> ModelsOut:
    user = request_user(request)
    if not can_read_models(user):
        raise PermissionDenied("无权查看智能建议模型")
    return ModelsOut(
        versions=[
            ModelVersionOut(
                version=v.version,
                is_active=v.is_active,
                trained_at=v.trained_at,
                rows=v.rows,
                sha256=v.sha256,
                note=v.note,
                heads=_heads(v.evaluation or {}),
            )
            for v in model_versions()
        ],
        acceptance_30_days=[AcceptanceOut(field=name, **rate) for name, rate in acceptance_recent().items()],
    )
