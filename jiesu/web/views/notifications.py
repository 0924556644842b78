"""The user's in-app notifications: the list, marking one read (then following its link), all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jiesu.notify.selectors import notifications_for
from jiesu.notify.services import notification_mark_read, notifications_mark_all_read
from jiesu.web.http import current_user

PAGE_SIZE = 30
MAX_ID = 2**63 - 1  # larger numbers in the URL would overflow the database's integer


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = Paginator(notifications_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and open what it is about; another user's is a 404."""
    user = current_user(request)
    notification = notifications_for(user=user).filter(pk=pk).first() if pk <= MAX_ID else None
    if notification is None:
        raise Http404("通知不存在")
    notification_mark_read(notification_id=notification.pk, user=user)
    # Links are written by the system, but a stored URL is never followed off-site.
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(link)
    return redirect("web:notification_list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_all_read(user=current_user(request))
    messages.success(request, f"已将 {marked} 条通知标为已读" if marked else "没有未读通知")
    return redirect("web:notification_list")
