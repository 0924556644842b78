"""What every KPI page (考核指标) shares: who may see which tickets, the scheme and period picker,
the drill-down links behind every number, number formats and the "导出 Excel" answer.

The figures come from jiesu.kpi (kpi_evaluate and the analysis functions); these pages only parse,
check access, call and render, and every table is built once as rows that both the template and
the workbook read, so the export always holds what the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.core.errors import PermissionDenied as DomainPermissionDenied
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.permissions import kpi_viewer_where
from jiesu.kpi.selectors import schemes_list
from jiesu.kpi.windows import MAX_WINDOW_DAYS, AssessmentPeriod, period_containing, period_of, periods_recent
from jiesu.orgs.models import User
from jiesu.web.forms.base import ChineseForm
from jiesu.web.http import current_user

NOT_APPLICABLE = "不适用"


def kpi_viewer(request: HttpRequest) -> tuple[User, Q | None]:
    """The user and the tickets their figures count (None: the whole hotline); 403 for roles
    that may not see KPIs. One rule for web, API and CLI: jiesu.kpi.permissions."""
    user = current_user(request)
    try:
        return user, kpi_viewer_where(user)
    except DomainPermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc


def scheme_choices() -> list[tuple[str, str]]:
    """(code, name) of every scheme, named as its newest version; whether a version is in force
    on the chosen period is kpi_evaluate's check (UnknownScheme, shown beside the field)."""
    chosen: dict[str, str] = {}
    for scheme in schemes_list():
        chosen.setdefault(scheme.code, scheme.name)
    return list(chosen.items())


class KpiPeriodForm(ChineseForm):
    """The scheme and the assessment period (both days included, Beijing time), as in
    `jiesu kpi --scheme --from --to`."""

    scheme = forms.ChoiceField(label="考核方案")

    def __init__(self, data: Mapping[str, Any], *, schemes: Sequence[tuple[str, str]]) -> None:
        super().__init__(data)
        self.fields["scheme"].choices = list(schemes)  # type: ignore[attr-defined]
        # "from" is a Python keyword: the fields are added by name, keeping the URLs' wording.
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label="开始日期", widget=date_widget)
        self.fields["to"] = forms.DateField(label="结束日期", widget=date_widget)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "结束日期不能早于开始日期")
        elif start and end and (end - start).days >= MAX_WINDOW_DAYS:
            self.add_error("to", f"考核期间不能超过 {MAX_WINDOW_DAYS} 天")
        return data


@dataclass(frozen=True)
class KpiQuery:
    """What a KPI page shows: one scheme, one period, the viewer's tickets."""

    scheme_code: str
    scheme_name: str
    period: AssessmentPeriod
    where: Q | None

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    def encoded(self) -> str:
        """scheme, from and to as a query string: the pages' links keep the choice."""
        return urlencode(self.params())

    def params(self, **extra: Any) -> dict[str, str]:
        base = {"scheme": self.scheme_code, "from": self.start.isoformat(), "to": self.end.isoformat()}
        return base | {k: str(v) for k, v in extra.items() if v is not None and v != ""}


def period_form(request: HttpRequest, schemes: Sequence[tuple[str, str]]) -> KpiPeriodForm:
    """The picker bound to the query string; what is missing is filled in: the default scheme
    (settings.JIESU_KPI_SCHEME) and the assessment period of that scheme containing today."""
    data: QueryDict = request.GET.copy()
    codes = [code for code, _ in schemes]
    scheme = data.get("scheme") or (settings.JIESU_KPI_SCHEME if settings.JIESU_KPI_SCHEME in codes else "")
    data["scheme"] = scheme or (codes or [""])[0]
    if not data.get("from") and not data.get("to") and data["scheme"] in codes:
        try:
            current = period_containing(str(data["scheme"]), timezone.localdate())
        except DomainError:
            pass  # not in force today: the empty dates ask the user to choose
        else:
            data["from"], data["to"] = current.start.isoformat(), current.end.isoformat()
    return KpiPeriodForm(data, schemes=schemes)


def kpi_query(form: KpiPeriodForm, where: Q | None) -> KpiQuery | None:
    """The valid choice as a query, or None (the form then shows its errors)."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    code, start, end = data["scheme"], data["from"], data["to"]
    names = dict(form.fields["scheme"].choices)  # type: ignore[attr-defined]
    return KpiQuery(scheme_code=code, scheme_name=str(names.get(code, code)), period=period_of(start, end), where=where)


def drill_link(query: KpiQuery, *, indicator: str, part: str, by: str = "all", key: str = "all") -> str:
    """The page listing the tickets behind one number (its numerator or its denominator)."""
    params = query.params(indicator=indicator, part=part, by=by, key=key)
    return f"{reverse('web:kpi_tickets')}?{urlencode(params)}"


def indicator_name(code: str) -> str:
    indicator = INDICATORS.get(code)
    return indicator.name if indicator else code


def is_rate(code: str) -> bool:
    indicator = INDICATORS.get(code)
    return indicator.is_rate if indicator else True


def show_value(code: str, value: float | None) -> str:
    """A rate as a percentage with one decimal, a count as it is; None is 不适用 (no denominator)."""
    if value is None:
        return NOT_APPLICABLE
    if not is_rate(code):
        return f"{value:g}"
    return f"{value * 100:.1f}%"


def show_number(value: float | None) -> str:
    """A numerator: whole counts as integers, a weighted satisfaction numerator with 2 decimals."""
    if value is None:
        return "—"
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"


def show_points(value: float | None) -> str:
    """A difference of rates in percentage points (+1.5 个百分点); None when there is no base."""
    if value is None:
        return "—"
    if value == 0:
        return "持平"
    return f"{value * 100:+.1f} 个百分点"


def wants_xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


RECENT_PERIODS = 6


def recent_periods(query: KpiQuery | None, request: HttpRequest) -> list[dict[str, Any]]:
    """The scheme's last periods up to the current one, as links keeping the page's other choices."""
    if query is None:
        return []
    try:
        current = period_containing(query.scheme_code, timezone.localdate())
        periods = periods_recent(query.scheme_code, last=current, count=RECENT_PERIODS)
    except DomainError:
        return []
    links = []
    for period in reversed(periods):
        params = request.GET.copy()
        params["scheme"], params["from"], params["to"] = query.scheme_code, str(period.start), str(period.end)
        params.pop("page", None)
        current_one = (period.start, period.end) == (query.start, query.end)
        links.append({"label": period.label, "query": params.urlencode(), "current": current_one})
    return links


def page_context(request: HttpRequest, form: KpiPeriodForm, query: KpiQuery | None, active: str) -> dict[str, Any]:
    """What the picker, the sub-navigation and the export links of every KPI page need."""
    return {
        "form": form,
        "query": query,
        "nav_query": query.encoded() if query else "",
        "recent": recent_periods(query, request),
        "export_url": export_link(request),
        "active": active,
    }


def chosen_tables(request: HttpRequest, tables: Sequence[Any]) -> list[Any]:
    """The table the "导出 Excel" link names (`table=key`), or every table of the page."""
    key = request.GET.get("table")
    return [t for t in tables if t.key == key] or list(tables)


def export_link(request: HttpRequest) -> str:
    """This page's URL asking for the workbook of its tables."""
    params = request.GET.copy()
    params["format"] = "xlsx"
    return f"{request.path}?{params.urlencode()}"
