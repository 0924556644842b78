"""Knowledge-base pages for readers: search, an entry with its history, the diff between two
versions, and the editors' review queue. Writes live in `knowledge_edit`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiesu.core.errors import NotFound
from jiesu.knowledge.attachments import entry_attachments
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.libraries import CONTACT_KEYS, CONTACT_LABELS, FieldSpec, Kind, library_spec
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.permissions import (
    can_draft_knowledge,
    can_edit_entry,
    can_publish_knowledge,
    can_read_knowledge,
)
from jiesu.knowledge.search.query import SearchPage, knowledge_search
from jiesu.knowledge.selectors import (
    entries_expiring,
    entries_for_review,
    entries_list,
    entries_recent,
    entries_unpublished_by,
    entry_get_for,
    entry_versions,
    version_diff,
)
from jiesu.knowledge.services import ACTION_LABELS, EDITOR_ACTIONS, TRANSITIONS
from jiesu.orgs.models import User
from jiesu.web.forms.base import Pickers
from jiesu.web.forms.knowledge import AttachmentForm, KnowledgeSearchForm, RejectForm
from jiesu.web.http import current_user

PAGE_SIZE = 20
RECENT_PER_LIBRARY = 5
MAX_OFFSET = 10_000
MY_DRAFTS = 20
# Shown apart from the field list: the title heads the page, contacts get a table, tags a row of tags.
APART = frozenset({"title", "contacts", "tags"})


def knowledge_reader(request: HttpRequest) -> User:
    user = current_user(request)
    if not can_read_knowledge(user):
        raise PermissionDenied("无权查看知识库")
    return user


def visible_entry(user: User, entry_id: int) -> KnowledgeEntry:
    """The entry if `user` may read it; 404 otherwise, so a guessed id reveals nothing."""
    try:
        return entry_get_for(viewer=user, entry_id=entry_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@dataclass
class RecentGroup:
    library: str
    label: str
    entries: list[KnowledgeEntry]


def _recent(user: User, form: KnowledgeSearchForm, statuses: tuple[str, ...]) -> list[RecentGroup]:
    """Without words: the latest entries of each chosen library under the other filters."""
    chosen = form.cleaned_data.get("library") or Library.values
    category, valid_on = form.category(), form.valid_on()
    groups = []
    for library in chosen:
        entries = entries_recent(viewer=user, library=library, statuses=statuses, category=category, valid_on=valid_on)
        groups.append(RecentGroup(library, Library(library).label, list(entries[:RECENT_PER_LIBRARY])))
    return groups


def _search(user: User, form: KnowledgeSearchForm, page_number: str | None) -> tuple[SearchPage, Page[Any]]:
    """One page of hits; the paginator runs over the hit count only, to draw the pager."""
    # The same depth as the API's offset cap: nobody reads beyond it, and deep offsets cost.
    requested = Paginator(range(MAX_OFFSET + PAGE_SIZE), PAGE_SIZE).get_page(page_number)
    result = knowledge_search(
        form.cleaned_data["q"],
        viewer=user,
        libraries=form.cleaned_data.get("library") or (),
        category=form.category(),
        valid_on=form.valid_on(),
        statuses=form.statuses(),
        limit=PAGE_SIZE,
        offset=requested.start_index() - 1,
    )
    pages = Paginator(range(result.total), PAGE_SIZE, allow_empty_first_page=True)
    return result, pages.get_page(min(requested.number, pages.num_pages))


@login_required
@require_GET
def knowledge_search_page(request: HttpRequest) -> HttpResponse:
    user = knowledge_reader(request)
    editor = can_publish_knowledge(user)
    # Always bound: every field is optional, so an empty query string is a valid (browsing) search.
    form = KnowledgeSearchForm(request.GET, pickers=Pickers(), editor=editor)
    context: dict[str, Any] = {"form": form, "can_draft": can_draft_knowledge(user), "editor": editor}
    if not form.is_valid():
        return render(request, "web/knowledge/search.html", context, status=400)
    if form.cleaned_data["q"].strip():
        context["result"], context["page"] = _search(user, form, request.GET.get("page"))
    else:
        context["recent"] = _recent(user, form, form.statuses())
        if context["can_draft"]:
            context["mine"] = list(entries_unpublished_by(user)[:MY_DRAFTS])
    return render(request, "web/knowledge/search.html", context)


@dataclass
class FieldRow:
    label: str
    value: str
    long: bool = False


def _display(spec: FieldSpec, value: Any) -> str:
    if value is None or value == "":
        return ""
    if spec.kind == Kind.BOOL:
        return "是" if value else "否"
    if spec.kind == Kind.DATE and isinstance(value, date):
        return value.isoformat()
    if spec.kind == Kind.CATEGORY:
        return str(getattr(value, "full_name", "") or value)
    return str(value)


def field_rows(entry: KnowledgeEntry) -> list[FieldRow]:
    spec = library_spec(entry.library)
    return [
        FieldRow(f.label, _display(f, getattr(entry, f.name)), f.kind == Kind.LONG_TEXT)
        for f in spec.fields
        if f.name not in APART
    ]


def entry_actions(user: User, entry: KnowledgeEntry) -> list[tuple[str, str]]:
    """The lifecycle steps `user` may take on `entry` now, as (action, Chinese label)."""
    actions = []
    for (status, action), _target in TRANSITIONS.items():
        if status != entry.status:
            continue
        allowed = can_publish_knowledge(user) if action in EDITOR_ACTIONS else can_edit_entry(user, entry)
        if allowed:
            actions.append((str(action), ACTION_LABELS[action]))
    return actions


def render_entry(
    request: HttpRequest,
    entry: KnowledgeEntry,
    *,
    reject_form: RejectForm | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    versions = list(entry_versions(entry))
    context = {
        "entry": entry,
        "library_label": Library(entry.library).label,
        "spec": library_spec(entry.library),
        "rows": field_rows(entry),
        "contact_columns": [(key, CONTACT_LABELS[key]) for key in CONTACT_KEYS],
        "has_contacts": "contacts" in library_spec(entry.library).names,
        "versions": versions,
        "can_edit": can_edit_entry(user, entry),
        "actions": entry_actions(user, entry),
        "reject_form": reject_form or RejectForm(),
        "attachments": list(entry_attachments(entry)),
        "attachment_form": attachment_form or AttachmentForm(),
        "today": timezone.localdate(),
    }
    return render(request, "web/knowledge/entry.html", context, status=status)


@login_required
@require_GET
def knowledge_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = knowledge_reader(request)
    return render_entry(request, visible_entry(user, entry_id))


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else default


@login_required
@require_GET
def knowledge_diff(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Two versions side by side; by default the latest against the one before it."""
    user = knowledge_reader(request)
    entry = visible_entry(user, entry_id)
    numbers = [v.number for v in entry_versions(entry)]
    latest = numbers[0] if numbers else entry.version
    to_number = _number(request.GET.get("to"), latest)
    from_number = _number(request.GET.get("from"), max(1, to_number - 1))
    try:
        diffs = version_diff(entry, from_number, to_number)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {"entry": entry, "numbers": numbers, "from_number": from_number, "to_number": to_number, "diffs": diffs}
    return render(request, "web/knowledge/diff.html", context)


@login_required
@require_GET
def knowledge_review(request: HttpRequest) -> HttpResponse:
    """The editors' desk: entries waiting for review, and published ones about to expire."""
    user = knowledge_reader(request)
    if not can_publish_knowledge(user):
        raise PermissionDenied("只有知识库编辑可以审核知识条目")
    context = {
        "waiting": list(entries_for_review(user)[:200]),
        "expiring": list(entries_expiring(user).select_related("unit")[:200]),
        "drafts": list(entries_list(viewer=user, status=EntryStatus.DRAFT)[:50]),
    }
    return render(request, "web/knowledge/review.html", context)
