"""Forms of the reports pages: which report (kind + period, or a special report's window), a
customer's .docx template, and a delivery schedule."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.facts import family_check
from jiesu.reports.models import SCHEDULED_KINDS
from jiesu.reports.periods import ReportPeriod, period_parse, period_special
from jiesu.reports.schedules import last_finished_period
from jiesu.reports.services import recipients_clean
from jiesu.web.forms.base import ChineseForm

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
# A .docx is a zip: its parts are bounded unpacked too, so a small upload cannot inflate to gigabytes
# when python-docx or docxtpl open it (zipfile never reads past a member's declared size).
TEMPLATE_MAX_UNPACKED = 50 * 1024 * 1024
TEMPLATE_MAX_PARTS = 1000
# The parts every Word document has; a renamed .doc, .xlsx or .zip lacks one of them.
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
SPECIAL_MAX_DAYS = 366
PERIOD_HELP = "如 2026-10-14（日报）、2026-W42、2026-10、2026-Q3、2026-H2、2026；不填为上一个已结束的周期"


class DateInput(forms.DateInput):
    input_type = "date"


class ReportPickForm(ChineseForm):
    """Which report to preview or generate; read from the query string (GET) or a POST."""

    kind = forms.ChoiceField(label="报告类型", choices=ReportKind.choices, initial=ReportKind.WEEKLY)
    period = forms.CharField(label="周期", required=False, max_length=32, help_text=PERIOD_HELP)
    family = forms.ChoiceField(label="系列", choices=ReportFamily.choices, initial=ReportFamily.HOTLINE, required=False)
    start = forms.DateField(label="专报起始日期", required=False, widget=DateInput)
    end = forms.DateField(label="专报截止日期", required=False, widget=DateInput)
    topic = forms.CharField(label="专报主题（关键词）", required=False, max_length=64)
    district = forms.ModelChoiceField(
        label="专报区域", required=False, queryset=Unit.objects.none(), empty_label="全部区域"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = Unit.objects.filter(kind=UnitKind.DISTRICT).order_by("code", "name")
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.chosen: ReportPeriod | None = None

    def clean_family(self) -> str:
        # A link without a family means the hotline's reports, the only family with data so far.
        return str(self.cleaned_data.get("family") or ReportFamily.HOTLINE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            family_check(data.get("family") or ReportFamily.HOTLINE)
        except DomainError as exc:
            self.add_error("family", exc.message)
        kind = data.get("kind")
        if not kind:
            return data
        try:
            self.chosen = self._period(kind, data)
        except DomainError as exc:
            field = str(exc.details.get("field", "")) or ("start" if kind == ReportKind.SPECIAL else "period")
            self.add_error(field if field in self.fields else "period", exc.message)
        return data

    def _period(self, kind: str, data: dict[str, Any]) -> ReportPeriod | None:
        if kind != ReportKind.SPECIAL:
            text = (data.get("period") or "").strip()
            return period_parse(kind, text) if text else last_finished_period(kind, timezone.localdate())
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            for name in ("start", "end"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "专报须填写起止日期")
            return None
        if end < start:
            self.add_error("end", "截止日期不能早于起始日期")
            return None
        if (end - start).days >= SPECIAL_MAX_DAYS:
            self.add_error("end", f"专报时间跨度不能超过 {SPECIAL_MAX_DAYS} 天")
            return None
        return period_special(start, end)

    def choice(self) -> dict[str, str]:
        """The valid choice as plain strings, for the generate form and links that keep it."""
        if not self.is_valid() or self.chosen is None:
            return {}
        data = self.cleaned_data
        pairs: dict[str, str] = {"kind": data["kind"], "family": data["family"]}
        if data["kind"] == ReportKind.SPECIAL:
            pairs.update(start=f"{data['start']}", end=f"{data['end']}", topic=data.get("topic") or "")
            if data.get("district") is not None:
                pairs["district"] = str(data["district"].pk)
        else:
            pairs["period"] = self.chosen.key
        return pairs


def initial_pick(today: date | None = None) -> dict[str, Any]:
    """What the page shows before the user chose: last week's weekly report of the hotline."""
    today = today or timezone.localdate()
    period = last_finished_period(ReportKind.WEEKLY, today)
    return {
        "kind": ReportKind.WEEKLY,
        "period": period.key,
        "family": ReportFamily.HOTLINE,
        "start": today - timedelta(days=7),
        "end": today - timedelta(days=1),
    }


def docx_problem(content: bytes) -> str | None:
    """Why `content` is not a Word .docx document, in Chinese; None when it is one."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        return "文件不是有效的 Word 文档（.docx）"
    if len(parts) > TEMPLATE_MAX_PARTS or sum(p.file_size for p in parts) > TEMPLATE_MAX_UNPACKED:
        return "Word 文档解压后过大（超过 50 MB），请精简模板中的图片等内容"
    names = {p.filename for p in parts}
    if not all(part in names for part in DOCX_PARTS):
        return "文件不是有效的 Word 文档（.docx）：缺少文档正文"
    from docx import Document  # imported here: only uploads need python-docx on the web side

    try:
        Document(io.BytesIO(content))
    except Exception:  # python-docx raises several kinds for a damaged package
        return "Word 文档已损坏，无法打开"
    return None


class TemplateUploadForm(ChineseForm):
    kind = forms.ChoiceField(label="报告类型", choices=ReportKind.choices)
    family = forms.ChoiceField(label="系列", choices=ReportFamily.choices, initial=ReportFamily.HOTLINE)
    file = forms.FileField(label="Word 模板（.docx）", help_text="不超过 5 MB；可用变量见 docs/reports.md")
    content: bytes = b""

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".docx"):
            raise forms.ValidationError("只支持 Word 文档（.docx）")
        if (upload.size or 0) > TEMPLATE_MAX_BYTES:
            raise forms.ValidationError("模板文件不能超过 5 MB")
        content = upload.read()
        problem = docx_problem(content)
        if problem is not None:
            raise forms.ValidationError(problem)
        self.content = content
        return upload


WEEKDAYS = [("", "默认（星期三）")] + [(str(i), f"星期{name}") for i, name in enumerate("一二三四五六日")]


class ScheduleForm(ChineseForm):
    """One kind's delivery schedule; empty day fields take the kind's default."""

    kind = forms.ChoiceField(label="报告类型", choices=[(k, ReportKind(k).label) for k in SCHEDULED_KINDS])
    family = forms.ChoiceField(label="系列", choices=ReportFamily.choices, initial=ReportFamily.HOTLINE)
    enabled = forms.BooleanField(label="启用（按计划自动生成并发送）", required=False)
    due_weekday = forms.TypedChoiceField(
        label="周报报送日", choices=WEEKDAYS, required=False, coerce=int, empty_value=None
    )
    due_day = forms.IntegerField(
        label="报送日（次月几日）", required=False, min_value=1, max_value=28, help_text="1–28；留空为默认"
    )
    send_hour = forms.IntegerField(label="发送时刻（时）", min_value=0, max_value=23, initial=8)
    recipients = forms.CharField(
        label="收件人邮箱",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="多个地址用逗号或换行分隔",
    )

    def clean_recipients(self) -> list[str]:
        text = (self.cleaned_data.get("recipients") or "").replace("\n", ",").replace("\r", "")
        if not text.strip(", "):
            return []
        try:
            return recipients_clean(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
