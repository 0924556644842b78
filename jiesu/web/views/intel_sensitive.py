"""Sensitive content and the remit check on pages: the lexicon page (versions, a new dated
version, the "试一试" box) and two panels of the ticket page (the hits, the remit verdict)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from jiesu.core.errors import DomainError
from jiesu.intel.remit import REMIT_STATUSES, remit_check
from jiesu.intel.sensitive.lexicon import (
    LABELS,
    lexicon_add,
    lexicon_can_manage,
    lexicon_in_force,
    lexicon_lines,
    lexicon_lines_parse,
    lexicon_matcher,
    lexicon_terms,
    lexicons_history,
)
from jiesu.intel.sensitive.matching import Hit, highlight
from jiesu.intel.sensitive.screen import ticket_sensitive_flags, ticket_sensitive_hits
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.web.forms.base import ChineseForm
from jiesu.web.http import current_user, visible_ticket

MAX_TRY_LENGTH = 5_000


class LexiconForm(ChineseForm):
    valid_from = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))
    code = forms.CharField(label="版本编码", max_length=64, required=False, help_text="不填则按生效日期生成")
    name = forms.CharField(label="版本名称", max_length=128, required=False)
    terms = forms.CharField(
        label="词语",
        widget=forms.Textarea(attrs={"rows": 16, "class": "lexicon-lines"}),
        help_text="每行一个：类别<Tab>词语（类别与词语之间也可用空格）；正则表达式写在两个 / 之间，如 /(要|去)跳楼/。"
        f"类别：{'、'.join(LABELS.values())}",
    )


class TryForm(ChineseForm):
    text = forms.CharField(
        label="试一试",
        max_length=MAX_TRY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="粘贴一段文字，查看命中的敏感词",
    )


def _manager(request: HttpRequest) -> User:
    user = current_user(request)
    if not lexicon_can_manage(user):
        raise PermissionDenied("只有热线中心的班长或系统管理员可以维护敏感词库")
    return user


def _is_center(user: User) -> bool:
    return user.unit is not None and user.unit.kind == UnitKind.CENTER


def _marked(text: str, hits: list[Hit]) -> SafeString:
    return mark_safe(highlight(text, hits, LABELS))  # noqa: S308 - highlight escapes the text


def _try(text: str) -> dict[str, Any]:
    lexicon = lexicon_in_force(on=timezone.localdate())
    hits = lexicon_matcher(lexicon).find(text) if lexicon else []
    return {"hits": [(LABELS.get(h.category, h.category), h) for h in hits], "marked": _marked(text, hits)}


def _page(request: HttpRequest, form: LexiconForm, try_form: TryForm, result: Any, status: int) -> HttpResponse:
    today = timezone.localdate()
    current = lexicon_in_force(on=today)
    context = {
        "form": form,
        "try_form": try_form,
        "result": result,
        "current": current,
        "current_terms": [(LABELS.get(t.category, t.category), t) for t in lexicon_terms(current)] if current else [],
        "history": lexicons_history(),
        "today": today,
    }
    return render(request, "web/intel/lexicon.html", context, status=status)


@login_required
def lexicon_page(request: HttpRequest) -> HttpResponse:
    """The version in force and every version; POST adds a dated version."""
    user = _manager(request)
    current = lexicon_in_force(on=timezone.localdate())
    initial = {"valid_from": timezone.localdate(), "terms": lexicon_lines(lexicon_terms(current)) if current else ""}
    form = LexiconForm(data=request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                lexicon = lexicon_add(
                    valid_from=data["valid_from"],
                    terms=lexicon_lines_parse(data["terms"]),
                    actor=user,
                    code=data["code"],
                    name=data["name"],
                )
            except DomainError as exc:
                field = exc.details.get("field")
                form.add_error(field if isinstance(field, str) and field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, f"已添加词库版本 {lexicon.code}，自 {lexicon.valid_from:%Y-%m-%d} 起生效")
                return redirect("web:intel_lexicon")
        else:
            status = 400
    return _page(request, form, TryForm(), None, status)


@login_required
@require_POST
def lexicon_try(request: HttpRequest) -> HttpResponse:
    """The "试一试" box: hits of the version in force, highlighted (htmx: the result only)."""
    _manager(request)
    try_form = TryForm(data=request.POST)
    result = _try(try_form.cleaned_data["text"]) if try_form.is_valid() else None
    status = 200 if result is not None else 400
    if getattr(request, "htmx", False):  # django-htmx's middleware
        return render(request, "web/intel/_lexicon_try.html", {"try_form": try_form, "result": result}, status=status)
    initial = {"valid_from": timezone.localdate()}
    return _page(request, LexiconForm(initial=initial), try_form, result, status)


def _flagged_hits(ticket: Ticket) -> tuple[list[dict[str, Any]], bool]:
    """The hits of the FLAGGED events (recorded), else those of the lexicon in force (live)."""
    recorded = [hit for event in ticket_sensitive_flags(ticket) for hit in event.payload.get("hits", [])]
    if recorded:
        return recorded, True
    return [{"field": name, **hit.as_dict()} for name, hit in ticket_sensitive_hits(ticket)], False


def _as_hits(rows: list[dict[str, Any]], field: str) -> list[Hit]:
    found = []
    for row in rows:
        if row.get("field") == field:
            found.append(
                Hit(
                    str(row["category"]), str(row["text"]), int(row["start"]), int(row["end"]), str(row.get("term", ""))
                )
            )
    return found


@login_required
@require_GET
def ticket_sensitive(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if not _is_center(user):
        raise PermissionDenied("只有热线中心人员可以查看敏感内容标记")
    rows, recorded = _flagged_hits(ticket)
    context = {
        "ticket": ticket,
        "recorded": recorded,
        "hits": [(LABELS.get(str(r["category"]), r["category"]), r) for r in rows],
        "title_marked": _marked(ticket.title, _as_hits(rows, "title")),
        "content_marked": _marked(ticket.content, _as_hits(rows, "content")),
    }
    return render(request, "web/intel/_sensitive.html", context)


def may_check_remit(user: User, ticket: Ticket) -> bool:
    return _is_center(user) and user.has_role(Role.AGENT, Role.SHIFT_LEAD) and ticket.status in REMIT_STATUSES


@login_required
@require_GET
def ticket_remit(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if not may_check_remit(user, ticket):
        return HttpResponse("")  # the panel goes away: not for this user or not at this step
    verdict = remit_check(ticket, viewer=user)
    return render(request, "web/intel/_remit.html", {"ticket": ticket, "verdict": verdict})
