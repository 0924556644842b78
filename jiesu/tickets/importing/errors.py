"""Errors of the importer: file-level errors stop the import, row errors reject one row."""

from __future__ import annotations

from dataclasses import dataclass

from jiesu.core.errors import ValidationFailed


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be imported (encoding, format, missing columns, unknown mapping)."""

    code = "import_file_invalid"
    default_message = "文件无法导入"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row; `row` is the row number as shown in the file (header = row 1)."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, int | str]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RowRejectedError(Exception):
    """Raised while planning or writing one row; carries the row's problems."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))
