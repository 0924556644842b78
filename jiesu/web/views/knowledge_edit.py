"""Writing knowledge entries from the pages: the form of a library (new or edit, with the version
it was loaded at), and the lifecycle steps (提交审核, 发布, 退回, 设为失效)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiesu.core.errors import Conflict, DomainError
from jiesu.knowledge.choices import Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.permissions import can_draft_knowledge, can_edit_entry
from jiesu.knowledge.services import (
    ACTION_LABELS,
    Action,
    entry_create,
    entry_expire,
    entry_publish,
    entry_reject,
    entry_submit,
    entry_update,
)
from jiesu.web.forms.base import Pickers
from jiesu.web.forms.knowledge import EntryForm, RejectForm
from jiesu.web.views.knowledge import knowledge_reader, render_entry, visible_entry

CONFLICT_MESSAGE = "保存失败：该条目已被他人修改（当前为第 {version} 版）。您填写的内容仍保留在下方，请核对后重新保存。"


def _render_form(
    request: HttpRequest, form: EntryForm, *, entry: KnowledgeEntry | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "entry": entry, "library": form.spec.library, "library_label": form.spec.library.label}
    return render(request, "web/knowledge/form.html", context, status=status)


@login_required
def knowledge_new(request: HttpRequest) -> HttpResponse:
    user = knowledge_reader(request)
    if not can_draft_knowledge(user):
        raise PermissionDenied("无权新建知识条目")
    library = request.GET.get("library") or request.POST.get("library") or ""
    if library not in Library.values:
        return render(request, "web/knowledge/choose_library.html", {"libraries": Library.choices})
    form = EntryForm(request.POST or None, library=library, pickers=Pickers())
    if request.method != "POST":
        return _render_form(request, form, entry=None)
    if form.is_valid():
        try:
            entry = entry_create(actor=user, library=library, **form.values())
        except DomainError as exc:
            form.show_domain_error(exc)
        else:
            messages.success(request, f"已保存草稿「{entry.title}」")
            return redirect("web:knowledge_detail", entry_id=entry.pk)
    return _render_form(request, form, entry=None, status=400)


@login_required
def knowledge_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = knowledge_reader(request)
    entry = visible_entry(user, entry_id)
    if not can_edit_entry(user, entry):
        raise PermissionDenied("无权修改该知识条目")
    form = EntryForm(request.POST or None, library=entry.library, pickers=Pickers(), entry=entry)
    if request.method != "POST":
        return _render_form(request, form, entry=entry)
    if not form.is_valid():
        return _render_form(request, form, entry=entry, status=400)
    expected = form.cleaned_data["version"]
    try:
        entry_update(entry=entry, actor=user, expected_version=expected, **form.values())
    except Conflict:
        current = KnowledgeEntry.objects.get(pk=entry.pk)
        form.add_error(None, CONFLICT_MESSAGE.format(version=current.version))
        # Saving again means "mine over theirs", knowingly: the form now carries the current version.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form.data = data
        messages.error(request, "该条目已被他人修改，您的内容尚未保存")
        return _render_form(request, form, entry=entry, status=409)
    except DomainError as exc:
        form.show_domain_error(exc)
        return _render_form(request, form, entry=entry, status=exc.status)
    messages.success(request, f"已保存「{entry.title}」（第 {entry.version} 版）")
    return redirect("web:knowledge_detail", entry_id=entry.pk)


@login_required
@require_POST
def knowledge_act(request: HttpRequest, entry_id: int, action: str) -> HttpResponse:
    """One lifecycle step; the services decide who may take it (only editors publish)."""
    user = knowledge_reader(request)
    entry = visible_entry(user, entry_id)
    if action not in Action.__members__.values():
        raise Http404("不支持的操作")
    step = Action(action)
    reject_form = RejectForm(request.POST) if step == Action.REJECT else None
    if reject_form is not None and not reject_form.is_valid():
        messages.error(request, "请填写退回原因")
        return render_entry(request, entry, reject_form=reject_form, status=400)
    try:
        if step == Action.SUBMIT:
            entry_submit(entry=entry, actor=user)
        elif step == Action.PUBLISH:
            entry_publish(entry=entry, actor=user)
        elif step == Action.REJECT and reject_form is not None:
            entry_reject(entry=entry, actor=user, reason=reject_form.cleaned_data["reason"])
        else:
            entry_expire(entry=entry, actor=user, reason=request.POST.get("reason", "")[:255])
    except DomainError as exc:
        messages.error(request, exc.message)
        fresh = visible_entry(user, entry_id)  # a refused step may have touched the in-memory entry
        return render_entry(request, fresh, reject_form=reject_form, status=exc.status)
    messages.success(request, f"已{ACTION_LABELS[step]}「{entry.title}」")
    return redirect("web:knowledge_detail", entry_id=entry.pk)
