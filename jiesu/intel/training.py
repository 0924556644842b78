"""Training, cross-validation, evaluation and prediction with the category classifier."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
from sklearn.metrics import classification_report
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline

from jiesu.intel import classifier, ngrams
from jiesu.intel.errors import IntelError

DEFAULT_FOLDS = 5


@dataclass
class TrainedModel:
    pipeline: Pipeline
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def temperature(self) -> float:
        return float(self.metadata.get("temperature", classifier.DEFAULT_TEMPERATURE))


def evaluation_report(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-class precision / recall / F1 / support, accuracy and macro-F1, as plain JSON values."""
    raw = classification_report(truth, predicted, output_dict=True, zero_division=0)
    classes = {
        name: {k: (int(v) if k == "support" else round(float(v), 4)) for k, v in values.items()}
        for name, values in raw.items()
        if isinstance(values, dict) and name not in ("macro avg", "weighted avg", "micro avg")
    }
    return {
        "rows": len(truth),
        "accuracy": round(float(raw.get("accuracy", 0.0)), 4),
        "macro_f1": round(float(raw["macro avg"]["f1-score"]), 4),
        "classes": classes,
    }


def _check_classes(labels: Sequence[str], folds: int) -> None:
    counts = Counter(labels)
    if len(counts) < 2:
        raise IntelError("训练数据至少需要两个类别")
    if folds:
        rare = sorted((n, c) for c, n in counts.items() if n < folds)
        if rare:
            n, c = rare[0]
            raise IntelError(f"类别“{c}”只有 {n} 条样本，不足以做 {folds} 折交叉验证；请补充样本或使用 --no-cv")


def cross_validate(
    segmented: Sequence[str], labels: Sequence[str], *, folds: int, c: float = classifier.DEFAULT_C
) -> tuple[dict[str, Any], float]:
    """Out-of-fold report and softmax temperature. Texts identical once cleaned share a fold, so a
    message filed twice cannot be learnt in one fold and "recognised" in another. `segmented` may
    be raw text: the features ignore spaces."""
    x = np.array(segmented, dtype=object)
    keys = np.array([ngrams.clean(t) for t in segmented], dtype=object)
    y = np.array(labels, dtype=object)
    groups = np.unique(keys, return_inverse=True)[1]
    classes = sorted(set(labels))
    scores = np.zeros((len(y), len(classes)))
    predicted = np.empty(len(y), dtype=object)
    started = time.perf_counter()
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(x, y, groups):
        model = classifier.model_on_segmented(c).fit(x[train], y[train])
        fold_scores = model.decision_function(x[test])
        if fold_scores.ndim == 1:
            fold_scores = np.column_stack([-fold_scores, fold_scores]) / 2
        scores[test] = fold_scores
        predicted[test] = model.predict(x[test])
    report = evaluation_report(list(y), list(predicted))
    temperature = classifier.fit_temperature(scores, list(y), classes)
    # Beside the accuracy, shows whether the confidences are honest on average.
    confidence = float(classifier.softmax(scores, temperature).max(axis=1).mean())
    report.update(
        folds=folds,
        method="StratifiedGroupKFold",
        mean_confidence=round(confidence, 4),
        seconds=round(time.perf_counter() - started, 1),
    )
    return report, temperature


def intel_train(
    *,
    texts: Sequence[str],
    labels: Sequence[str],
    folds: int = DEFAULT_FOLDS,
    c: float = classifier.DEFAULT_C,
    details: dict[str, Any] | None = None,
) -> TrainedModel:
    """A model trained on all rows; with `folds` ≥ 2, first an honest cross-validated report."""
    _check_classes(labels, folds)
    started = time.perf_counter()
    report, temperature = (None, classifier.DEFAULT_TEMPERATURE)
    if folds:
        report, temperature = cross_validate(texts, labels, folds=folds, c=c)
    pipeline = classifier.model_full(c).fit(list(texts), list(labels))
    metadata = {
        **(details or {}),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sklearn_version": sklearn.__version__,
        "method": "tfidf(dictionary words 2-4 + chars 1-3, sublinear) + LinearSVC(class_weight=balanced)",
        "c": c,
        "classes": [str(x) for x in pipeline.classes_],
        "training_rows": len(labels),
        "temperature": temperature,
        "evaluation": report,
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    return TrainedModel(pipeline=pipeline, metadata=metadata)


def predict_top(model: TrainedModel, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
    """For each text, the `k` most likely categories with their confidences, best first."""
    if not texts:
        return []
    scores = model.pipeline.decision_function(list(texts))
    probabilities = classifier.softmax(np.asarray(scores), model.temperature)
    classes = [str(x) for x in model.pipeline.classes_]
    order = np.argsort(-probabilities, axis=1)[:, :k]
    return [[(classes[j], round(float(probabilities[i, j]), 4)) for j in row] for i, row in enumerate(order)]
