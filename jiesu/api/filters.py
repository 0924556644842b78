"""The API's ticket filters (TicketFilterIn) as the list page's TicketSearch, so that the list, the
export and the page filter alike; references by code or id are resolved and checked here."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from jiesu.api.schemas import TicketFilterIn
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category
from jiesu.tickets.selectors import TicketSearch

MIN_YEAR, MAX_YEAR = 2000, 2100
# API orderings (field names) → the list's sort keys (selectors_search.ORDERINGS).
API_ORDERINGS = {"received_at": "received", "reply_due_at": "deadline", "closed_at": "closed", "updated_at": "updated"}
RANGES = (
    ("received_from", "received_to", "受理时间"),
    ("closed_from", "closed_to", "办结时间"),
    ("deadline_from", "deadline_to", "反馈时限"),
)


def check_moment(value: datetime | None, field: str, label: str) -> None:
    """Refuse moments outside what deadlines and time zones can handle (before any conversion)."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationFailed(f"{label}的年份必须在 {MIN_YEAR} 到 {MAX_YEAR} 之间", field=field)


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _check_ranges(f: TicketFilterIn) -> None:
    for start_field, end_field, label in RANGES:
        start, end = getattr(f, start_field), getattr(f, end_field)
        check_moment(start, start_field, f"{label}起")
        check_moment(end, end_field, f"{label}止")
        if start is not None and end is not None and _aware(start) > _aware(end):
            raise ValidationFailed(f"{label}止不能早于{label}起", field=end_field)


def _ref(field: str, model: type[Unit] | type[Category], value: str | None, label: str) -> tuple[int | None, str]:
    """The id and path of the unit/category given by code or, failing that, by id."""
    if not value:
        return None, ""
    qs = model.objects.all()
    found = qs.filter(code=value).values_list("pk", "path").first()
    if found is None and value.isdigit() and len(value) < 19:
        found = qs.filter(pk=int(value)).values_list("pk", "path").first()
    if found is None:
        raise ValidationFailed(f"{label}不存在：{value}", field=field)
    return found


def ticket_search_from(filters: TicketFilterIn) -> TicketSearch:
    """The API's filters as a TicketSearch; a bad range or unknown reference is a ValidationFailed."""
    f = filters
    _check_ranges(f)
    sign, key = ("-", f.ordering[1:]) if f.ordering.startswith("-") else ("", f.ordering)
    lead_unit_id, lead_unit_path = _ref("lead_unit", Unit, f.lead_unit, "主办单位")
    category_id, category_path = _ref("category", Category, f.category, "问题分类")
    return TicketSearch(
        statuses=tuple(f.status or ()),
        channel=f.channel or "",
        kind=f.kind or "",
        urgency=f.urgency or "",
        district_id=_ref("district", Unit, f.district, "所属区")[0],
        township_id=_ref("township", Unit, f.township, "所属街乡镇")[0],
        community_id=_ref("community", Unit, f.community, "所属社区村")[0],
        lead_unit_id=lead_unit_id,
        lead_unit_path=lead_unit_path,
        category_id=category_id,
        category_path=category_path,
        **{name: getattr(f, name) for pair in RANGES for name in pair[:2]},
        keyword=f.q or "",
        overdue=f.overdue,
        is_repeat=f.is_repeat,
        tags=tuple(f.tags or ()),
        callback=f.callback or "",
        assessment_scope=f.assessment_scope or "",
        order=sign + API_ORDERINGS.get(key, key),
    )
