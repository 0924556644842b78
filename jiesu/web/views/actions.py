"""POST targets of the detail page: one workflow action, or an attachment upload."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from jiesu.core.errors import DomainError
from jiesu.tickets.choices import EventKind
from jiesu.tickets.services.actions import ticket_perform
from jiesu.tickets.services.attachments import attachment_store_upload
from jiesu.web.access import can_attach
from jiesu.web.forms.actions import FIELDS, ActionForm
from jiesu.web.forms.base import Pickers
from jiesu.web.http import current_user, visible_ticket
from jiesu.web.views.tickets import render_ticket_detail

STALE_MESSAGE = "该工单已被他人处理，请刷新页面查看最新情况后再操作"


@login_required
@require_POST
def ticket_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Validate the action's form, refuse stale forms, then hand over to `ticket_perform`."""
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if action not in FIELDS:
        raise Http404("不支持的操作")
    form = ActionForm(event=action, ticket=ticket, pickers=Pickers(), data=request.POST, files=request.FILES)
    if not form.is_valid():
        messages.error(request, f"「{form.label}」填写有误，请检查标红的项目")
        return render_ticket_detail(request, ticket, bound=form, status=400)
    if form.cleaned_data["version"] != ticket.version:
        messages.error(request, STALE_MESSAGE)
        form.refresh_version(ticket.version)
        return render_ticket_detail(request, ticket, bound=form, status=409)
    try:
        ticket_perform(
            ticket=ticket, action=action, actor=user, data=form.action_input(), uploads=form.uploaded_files()
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        field = exc.details.get("field")
        if isinstance(field, str) and field in form.fields:
            form.add_error(field, exc.message)
        # Services may have touched the in-memory ticket before refusing: show the stored one.
        fresh = visible_ticket(request, number)
        form.refresh_version(fresh.version)
        return render_ticket_detail(request, fresh, bound=form, status=exc.status)
    messages.success(request, f"已完成「{EventKind(action).label}」")
    return redirect("web:ticket_detail", number=ticket.number)


@login_required
@require_POST
def ticket_attach(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if not can_attach(user):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
        return redirect("web:ticket_detail", number=ticket.number)
    try:
        attachment_store_upload(ticket=ticket, upload=upload, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"附件「{upload.name}」已上传")
    return redirect("web:ticket_detail", number=ticket.number)
