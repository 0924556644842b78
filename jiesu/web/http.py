"""Small request helpers shared by the views."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from jiesu.core.errors import NotFound
from jiesu.core.spreadsheet import XLSX_CONTENT_TYPE, SheetTable, tables_workbook
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import ticket_get_for


def current_user(request: HttpRequest) -> User:
    """The logged-in user; views using this are behind login_required."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """The ticket if the user may see it; otherwise 404, so a guessed URL reveals nothing."""
    try:
        return ticket_get_for(viewer=current_user(request), number=number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def xlsx_response(tables: Sequence[SheetTable], filename: str) -> HttpResponse:
    """The tables as an Excel download; `filename` is ASCII (codes and dates), without suffix."""
    response = HttpResponse(tables_workbook(tables), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
