"""Saved searches of the ticket list: save the current query under a name, delete one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from jiesu.core.errors import DomainError, NotFound
from jiesu.tickets.services.saved_searches import saved_search_create, saved_search_delete, saved_search_query
from jiesu.web.forms.saved_searches import SavedSearchForm
from jiesu.web.http import current_user
from jiesu.web.views.tickets import ticket_list_page


def _list_url(query: str) -> str:
    return reverse("web:ticket_list") + (f"?{query}" if query else "")


@login_required
@require_POST
def saved_search_save(request: HttpRequest) -> HttpResponse:
    """Saves the query the list was showing; an error re-shows the list with the name kept."""
    user = current_user(request)
    form = SavedSearchForm(request.POST)
    query = saved_search_query(request.POST.get("query", ""))
    if form.is_valid():
        try:
            saved = saved_search_create(owner=user, name=form.cleaned_data["name"], query=query)
        except DomainError as exc:
            form.add_error("name" if exc.details.get("field") == "name" else None, exc.message)
        else:
            messages.success(request, f"已保存查询：{saved.name}")
            return redirect(_list_url(saved.query))
    return ticket_list_page(request, query=query, save_form=form, status=400)


@login_required
@require_POST
def saved_search_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        saved_search_delete(owner=current_user(request), pk=pk)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已删除保存的查询")
    back = saved_search_query(request.POST.get("query", ""))
    return redirect(_list_url(back))
