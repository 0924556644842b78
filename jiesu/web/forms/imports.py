"""The ledger upload form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from jiesu.core.errors import DomainError
from jiesu.tickets.importing.mappings import mapping_load, mappings_available
from jiesu.web.forms.base import ChineseForm

ALLOWED_SUFFIXES = (".csv", ".xlsx")


def _mapping_choices() -> list[tuple[str, str]]:
    choices = []
    for name in mappings_available():
        try:
            choices.append((name, f"{mapping_load(name).title}（{name}）"))
        except DomainError:
            continue  # a broken mapping file is reported by the importer, not offered here
    return choices


class ImportForm(ChineseForm):
    file = forms.FileField(label="台账文件", help_text="支持 CSV（UTF-8 或 GBK）和 XLSX")
    mapping = forms.ChoiceField(label="列映射")
    source = forms.CharField(label="来源平台", required=False, max_length=64, help_text="不填则使用映射中的默认来源")
    dry_run = forms.BooleanField(label="仅校验，不写入（试导入）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = _mapping_choices()
        self.fields["mapping"].choices = choices  # type: ignore[attr-defined]
        if any(name == "jiesu" for name, _ in choices):
            self.fields["mapping"].initial = "jiesu"

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只支持 .csv 和 .xlsx 文件")
        return upload
