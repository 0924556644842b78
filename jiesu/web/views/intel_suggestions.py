"""The "智能建议" panel of the ticket page (loaded by htmx) and the models page `/intel/models/`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from jiesu.core.errors import DomainError
from jiesu.intel.suggest.heads import LEAD_UNIT, category_level
from jiesu.intel.suggest.permissions import can_activate_models, can_read_models, suggestions_shown
from jiesu.intel.suggest.registry import active_version, model_activate
from jiesu.intel.suggest.selectors import (
    acceptance_recent,
    head_label,
    head_order,
    model_versions,
    suggestion_latest,
    suggestion_rows,
)
from jiesu.intel.suggest.services import suggestions_make
from jiesu.web.http import current_user, visible_ticket

# Which field of the ticket page's action forms a head's value fills (web/forms/actions.py names
# them `<event>-<field>`); the category select takes any level's value.
TARGETS = {"kind": "triaged-kind", "urgency": "triaged-urgency", LEAD_UNIT: "dispatched-lead_unit"}


def _target(head: str) -> str:
    return "triaged-category" if category_level(head) else TARGETS.get(head, "")


@login_required
@require_GET
def ticket_suggestions(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    if not suggestions_shown(user, ticket):
        raise PermissionDenied("无权查看智能建议")
    suggestion, error = suggestion_latest(ticket.pk), ""
    active = active_version()
    if active is not None and (suggestion is None or suggestion.model_version_id != active.pk):
        try:
            suggestion = suggestions_make(ticket) or suggestion
        except DomainError as exc:  # a damaged or missing model file: say so, keep the page working
            error = exc.message
    rows = suggestion_rows(suggestion) if suggestion is not None else []
    context = {
        "ticket": ticket,
        "suggestion": suggestion,
        "rows": [(row, _target(row.head)) for row in rows],
        "error": error,
        "has_model": active is not None,
    }
    return render(request, "web/intel/_suggestions.html", context)


@login_required
@require_GET
def models_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_read_models(user):
        raise PermissionDenied("无权查看智能建议模型")
    versions = []
    for version in model_versions():
        heads = (version.evaluation or {}).get("heads") or {}
        versions.append((version, [(head_label(h), heads[h]) for h in sorted(heads, key=head_order)]))
    rates = acceptance_recent()
    context = {
        "versions": versions,
        "rates": [(head_label(name), rate) for name, rate in rates.items()],
        "can_activate": can_activate_models(user),
    }
    return render(request, "web/intel/models.html", context)


@login_required
@require_POST
def model_activate_view(request: HttpRequest, version: int) -> HttpResponse:
    user = current_user(request)
    if not can_activate_models(user):
        raise PermissionDenied("无权启用模型版本")
    try:
        model_activate(version=version, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已启用模型 v{version}")
    return redirect("web:intel_models")
