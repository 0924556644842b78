"""The audit admin's viewer: the security audit trail with filters, paging and CSV export.

Only the audit admin may open it (三员分立): the system admin and the security admin change the
system and its permissions, so they must not also be the ones who read or export the trail.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiesu.audit.selectors import audit_entries_search
from jiesu.audit.services import audit_export
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.security.sessions import client_address
from jiesu.web.forms.audit import AuditFilterForm
from jiesu.web.http import current_user

PAGE_SIZE = 50


def can_view_audit(user: User) -> bool:
    return user.is_active and user.has_role(Role.AUDIT_ADMIN)


def _auditor(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_view_audit(user):
        raise PermissionDenied
    return user


class _Echo:
    """A file-like object whose write() hands back the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _auditor(request)
    form = AuditFilterForm(request.GET or None)
    entries = audit_entries_search(search=form.search())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/audit/list.html", {"form": form, "page": page})


@login_required
def audit_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = _auditor(request)
    form = AuditFilterForm(request.GET or None)
    rows = audit_export(actor=user, search=form.search(), source_address=client_address(request))
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM: Excel opens UTF-8 CSV as such only with it
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
