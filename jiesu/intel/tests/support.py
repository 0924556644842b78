"""Samples of the real tipdm2020 appeals (../shared/data, README there) for the intel tests.

The data must be present: a missing folder fails the tests loudly instead of skipping them.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data" / "tipdm2020"
SEGMENTED = DATA / "appeals_segmented_labeled.csv"
RAW = DATA / "appeals_raw_labeled.csv"


def require_data() -> None:
    if not SEGMENTED.is_file() or not RAW.is_file():
        raise AssertionError(f"测试需要共享数据 {DATA}（见 ../shared/data/README.md），但找不到它")


def stratified_split(per_class_train: int, per_class_test: int, seed: int = 0) -> tuple[list[dict[str, str]], ...]:
    """Disjoint train and test samples, the same number of rows per class; duplicate texts are
    dropped first so that no test row also sits in the training sample."""
    require_data()
    by_class: dict[str, list[str]] = {}
    seen: set[str] = set()
    with SEGMENTED.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["text_segmented"] not in seen:
                seen.add(row["text_segmented"])
                by_class.setdefault(row["category"], []).append(row["text_segmented"])
    rng = random.Random(seed)
    train: list[dict[str, str]] = []
    test: list[dict[str, str]] = []
    for category, texts in sorted(by_class.items()):
        picked = rng.sample(texts, per_class_train + per_class_test)
        train += [{"text_segmented": t, "category": category} for t in picked[:per_class_train]]
        test += [{"text_segmented": t, "category": category} for t in picked[per_class_train:]]
    return train, test


def write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
