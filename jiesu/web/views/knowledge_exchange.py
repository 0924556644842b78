"""Excel exchange of one library: download it as .xlsx, upload an .xlsx (all or nothing; every
row and column error is listed in Chinese)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiesu.core.errors import DomainError
from jiesu.knowledge.choices import Library
from jiesu.knowledge.exchange import library_export, library_import
from jiesu.knowledge.permissions import can_draft_knowledge, can_publish_knowledge
from jiesu.web.forms.knowledge import ExportForm, ImportForm
from jiesu.web.views.knowledge import knowledge_reader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _render(
    request: HttpRequest,
    *,
    import_form: ImportForm,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = knowledge_reader(request)
    context: dict[str, Any] = {
        # Two forms on one page: the export form's ids must differ from the import form's.
        "export_form": ExportForm(request.GET or None, auto_id="export_%s")
        if request.method == "GET"
        else ExportForm(auto_id="export_%s"),
        "import_form": import_form,
        "can_import": can_draft_knowledge(user),
        "errors": errors or [],
    }
    return render(request, "web/knowledge/exchange.html", context, status=status)


def _import_form(request: HttpRequest) -> ImportForm:
    form = ImportForm(request.POST or None, request.FILES or None)
    if can_publish_knowledge(knowledge_reader(request)):
        form.fields["publish"] = forms.BooleanField(label="导入后直接发布", required=False)
    return form


@login_required
def knowledge_exchange(request: HttpRequest) -> HttpResponse:
    """GET: the page; POST: an import."""
    user = knowledge_reader(request)
    form = _import_form(request)
    if request.method != "POST":
        return _render(request, import_form=form)
    if not can_draft_knowledge(user):
        messages.error(request, "无权导入知识条目")
        return _render(request, import_form=form, status=403)
    if not form.is_valid():
        return _render(request, import_form=form, status=400)
    try:
        result = library_import(
            library=form.cleaned_data["library"],
            source=form.cleaned_data["file"],
            actor=user,
            publish=bool(form.cleaned_data.get("publish")),
        )
    except DomainError as exc:
        raw = exc.details.get("errors")
        errors = [str(e) for e in raw] if isinstance(raw, list) and raw else [exc.message]
        messages.error(request, "导入失败，未写入任何数据，请按下列提示修改文件后重新导入")
        return _render(request, import_form=form, errors=errors, status=exc.status)
    messages.success(request, f"导入完成。{result.summary()}")
    return redirect("web:knowledge_exchange")


@login_required
@require_GET
def knowledge_export(request: HttpRequest) -> HttpResponse:
    user = knowledge_reader(request)
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _render(request, import_form=_import_form(request), status=400)
    library = form.cleaned_data["library"]
    content = library_export(library=library, viewer=user)
    name = f"{Library(library).label}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=knowledge.xlsx; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
