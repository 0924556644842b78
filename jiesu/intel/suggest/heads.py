"""The multi-head suggestion model: one feature extraction, fitted once and shared by every head,
then one linear SVM per head (category level 1, 2, …, kind, urgency, lead unit).

The stored object is a scikit-learn Pipeline — fitted features, `SuggestionHeads` — so that
`jiesu.intel.modelfile` writes, checks and loads it like the single-label classifier. The features
(`classifier.features()`) read raw text: no word segmentation runs at prediction time.

Evaluation is done the way the model is used: trained on the older 80 % of the rows by received
time and scored on the newest 20 %. The temperatures of the confidences are fitted on those
held-out scores; the model then stored is refitted on all rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
from scipy.sparse import spmatrix
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from jiesu.intel import classifier
from jiesu.intel.errors import IntelError
from jiesu.intel.training import TrainedModel, evaluation_report

CATEGORY_PREFIX = "category_"
KIND, URGENCY, LEAD_UNIT = "kind", "urgency", "lead_unit"
TOP_K = 3
HOLDOUT_SHARE = 0.2
# A head is trained only when at least this many rows carry its label (and two classes occur):
# deeper category levels are often sparse, and a head on a handful of rows would only mislead.
MIN_HEAD_ROWS = 20
MIN_ROWS = 20


def holdout_cut(rows: int) -> int:
    """Rows before this index train the evaluated model; the rest (newest) test it."""
    return round(rows * (1 - HOLDOUT_SHARE))


def category_head(level: int) -> str:
    return f"{CATEGORY_PREFIX}{level}"


def category_level(head: str) -> int:
    """The level of a category head, 0 for the other heads."""
    return int(head[len(CATEGORY_PREFIX) :]) if head.startswith(CATEGORY_PREFIX) else 0


@dataclass
class TrainingSet:
    """Rows in ascending received time; per head one label per row ("" = unknown for that row)."""

    texts: list[str]
    labels: dict[str, list[str]]
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # head → value → what people read
    parents: dict[str, str] = field(default_factory=dict)  # category value → parent value ("" = root)
    details: dict[str, Any] = field(default_factory=dict)


class SuggestionHeads(BaseEstimator):
    """Last step of the stored pipeline: per head the fitted SVM, its softmax temperature and the
    names of its values; the category tree as the model saw it keeps deeper levels consistent."""

    def __init__(
        self,
        heads: dict[str, LinearSVC] | None = None,
        temperatures: dict[str, float] | None = None,
        names: dict[str, dict[str, str]] | None = None,
        parents: dict[str, str] | None = None,
    ) -> None:
        self.heads = heads
        self.temperatures = temperatures
        self.names = names
        self.parents = parents

    def fit(self, x: Any, y: Any = None) -> SuggestionHeads:
        return self  # fitted by heads_train, head by head

    def probabilities(self, head: str, x: spmatrix) -> np.ndarray:
        svc = (self.heads or {})[head]
        return classifier.softmax(np.asarray(svc.decision_function(x)), (self.temperatures or {})[head])


Candidate = dict[str, Any]  # {"value": "...", "label": "...", "confidence": 0.81}


def _usable(labels: Sequence[str]) -> bool:
    known = [x for x in labels if x]
    return len(known) >= MIN_HEAD_ROWS and len(set(known)) >= 2


def _fit_head(x: spmatrix, labels: Sequence[str], c: float) -> LinearSVC | None:
    rows = np.array([i for i, label in enumerate(labels) if label], dtype=int)
    y = [labels[i] for i in rows]
    if len(set(y)) < 2:
        return None
    return LinearSVC(C=c, class_weight="balanced").fit(x[rows], y)


def _head_evaluation(svc: LinearSVC, x_test: spmatrix, truth: Sequence[str]) -> tuple[dict[str, Any], float]:
    """Held-out figures of one head and the temperature fitted on its held-out scores."""
    rows = np.array([i for i, label in enumerate(truth) if label], dtype=int)
    truth_known = [truth[i] for i in rows]
    if not len(rows):
        return {"rows": 0}, classifier.DEFAULT_TEMPERATURE
    scores = np.asarray(svc.decision_function(x_test[rows]))
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores]) / 2
    classes = [str(x) for x in svc.classes_]
    top = np.argsort(-scores, axis=1)[:, :TOP_K]
    predicted = [classes[r[0]] for r in top]
    top3 = sum(t in {classes[j] for j in r} for t, r in zip(truth_known, top, strict=True))
    report = evaluation_report(truth_known, predicted)
    seen = [i for i, t in enumerate(truth_known) if t in set(classes)]
    temperature = classifier.DEFAULT_TEMPERATURE
    if seen:
        temperature = classifier.fit_temperature(scores[seen], [truth_known[i] for i in seen], classes)
    report["top3_accuracy"] = round(top3 / len(rows), 4)
    report["temperature"] = temperature
    report["mean_confidence"] = round(float(classifier.softmax(scores, temperature).max(axis=1).mean()), 4)
    return report, temperature


def _evaluate(
    texts: Sequence[str], data: TrainingSet, heads: Sequence[str], c: float
) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    cut = holdout_cut(len(texts))
    features = classifier.features()
    x_train = features.fit_transform(texts[:cut])
    x_test = features.transform(texts[cut:])
    reports: dict[str, dict[str, Any]] = {}
    temperatures: dict[str, float] = {}
    for head in heads:
        svc = _fit_head(x_train, data.labels[head][:cut], c)
        if svc is None:
            reports[head], temperatures[head] = {"rows": 0}, classifier.DEFAULT_TEMPERATURE
            continue
        reports[head], temperatures[head] = _head_evaluation(svc, x_test, data.labels[head][cut:])
    return reports, temperatures


def heads_train(data: TrainingSet, *, c: float = classifier.DEFAULT_C) -> TrainedModel:
    """Evaluate on the newest 20 %, then fit the stored model on every row."""
    if len(data.texts) < MIN_ROWS:
        raise IntelError(f"训练数据只有 {len(data.texts)} 条，至少需要 {MIN_ROWS} 条已办结且有分类的工单")
    heads = [h for h, labels in data.labels.items() if _usable(labels)]
    if not heads:
        raise IntelError("没有一个字段有足够的已标注样本（每个字段至少两个类别、20 条）")
    started = time.perf_counter()
    texts = list(data.texts)
    reports, temperatures = _evaluate(texts, data, heads, c)
    features = classifier.features()
    x = features.fit_transform(texts)
    fitted: dict[str, LinearSVC] = {}
    for head in heads:
        svc = _fit_head(x, data.labels[head], c)
        if svc is not None:
            fitted[head] = svc
    final = SuggestionHeads(
        heads=fitted,
        temperatures={h: temperatures[h] for h in fitted},
        names={h: data.names.get(h, {}) for h in fitted},
        parents=dict(data.parents),
    )
    pipeline = Pipeline([("features", features), ("heads", final)])
    cut = holdout_cut(len(texts))
    metadata = {
        **data.details,
        "kind": "ticket-suggestions",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "method": "shared tfidf(dictionary words + chars 1-3) + one LinearSVC(class_weight=balanced) per head",
        "c": c,
        "heads": list(fitted),
        "classes": {h: [str(v) for v in svc.classes_] for h, svc in fitted.items()},
        "training_rows": len(data.texts),
        "evaluation": {
            "method": "newest 20% by received time held out",
            "train_rows": cut,
            "test_rows": len(texts) - cut,
            "heads": {h: reports[h] for h in fitted},
        },
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return TrainedModel(pipeline=pipeline, metadata=metadata)


def _ranked(
    probabilities: np.ndarray, classes: Sequence[str], *, under: str | None, ancestors: dict[str, set[str]]
) -> list[int]:
    """The best three values; with `under`, only values that lie below that category."""
    order = [int(j) for j in np.argsort(-probabilities)]
    if under is not None:
        order = [j for j in order if under in ancestors.get(classes[j], set())]
    return order[:TOP_K]


def _ancestors(parents: dict[str, str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for value in parents:
        chain, parent = set(), parents.get(value, "")
        while parent and parent not in chain:
            chain.add(parent)
            parent = parents.get(parent, "")
        found[value] = chain
    return found


def _candidates(
    head: str, model: SuggestionHeads, top: list[int], classes: list[str], p: np.ndarray
) -> list[Candidate]:
    names = (model.names or {}).get(head, {})
    return [
        {"value": classes[j], "label": names.get(classes[j], classes[j]), "confidence": round(float(p[j]), 4)}
        for j in top
    ]


def heads_predict(pipeline: Pipeline, texts: Sequence[str]) -> list[dict[str, list[Candidate]]]:
    """Per text and head the top 3 with confidences. A deeper category level offers only values
    lying under the suggested (top-1) value of the level above; with none there, it and the
    levels below are left out rather than contradict the level above."""
    if not texts:
        return []
    model: SuggestionHeads = pipeline.steps[-1][1]
    x = pipeline[:-1].transform(list(texts))
    heads = list(model.heads or {})
    ordered = sorted((h for h in heads if category_level(h)), key=category_level)
    ordered += [h for h in heads if not category_level(h)]
    probabilities = {h: model.probabilities(h, x) for h in heads}
    classes = {h: [str(v) for v in (model.heads or {})[h].classes_] for h in heads}
    ancestors = _ancestors(model.parents or {})
    results: list[dict[str, list[Candidate]]] = []
    for i in range(len(texts)):
        row: dict[str, list[Candidate]] = {}
        above: str | None = None  # the suggested category of the deepest level so far
        stopped = False
        for head in ordered:
            is_category = bool(category_level(head))
            if is_category and stopped:
                continue
            under = above if is_category else None
            top = _ranked(probabilities[head][i], classes[head], under=under, ancestors=ancestors)
            if is_category:
                stopped = not top
                above = classes[head][top[0]] if top else above
            if top:
                row[head] = _candidates(head, model, top, classes[head], probabilities[head][i])
        results.append(row)
    return results
