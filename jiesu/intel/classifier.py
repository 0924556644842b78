"""The category classifier: TF-IDF over dictionary words and character 1–3-grams, then a linear SVM.

Choices measured on the tipdm2020 appeals (docs/intel.md): words and character n-grams together
beat either alone (characters catch place names and words a segmenter splits differently); sublinear
tf and balanced class weights help the small classes, which macro-F1 counts as much as the big ones.
The words are every substring that is a word of jieba's dictionary, found with array operations
(`jiesu.intel.ngrams`) rather than by jieba's segmentation: as accurate, and ~10× faster, which
the issue's 2,000 tickets/s needs. Models no longer segment; `Segmenter` and `without_spaces`
stay so that model files trained before still load and run.
Confidences are a softmax of the SVM scores with a temperature fitted on cross-validated scores,
so that on average they match the accuracy on data like the training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from jiesu.intel import text
from jiesu.intel.ngrams import NgramFeatures

DEFAULT_C = 0.5
# liblinear's stopping tolerance. 1e-3 rather than scikit-learn's 1e-4: the same 5-fold macro-F1 on
# tipdm2020 to four digits (grouped 0.9194, ungrouped 0.9324) in about 16 % less fitting time.
TOLERANCE = 1e-3
# Used when training skips cross-validation, so no temperature can be fitted: the value fitted on
# the 8,292 segmented tipdm2020 appeals (docs/intel.md).
DEFAULT_TEMPERATURE = 0.23


class Segmenter(BaseEstimator, TransformerMixin):
    """Raw text → space-separated jieba words (the first step of model files trained before the
    dictionary-word features)."""

    def fit(self, texts: Sequence[str], y: Any = None) -> Segmenter:
        return self

    def transform(self, texts: Sequence[str]) -> list[str]:
        return text.segment_all(texts)


def without_spaces(segmented: str) -> str:
    """Character n-grams run across word boundaries, as in the original text."""
    return segmented.replace(" ", "")


def features() -> FeatureUnion:
    """TF-IDF rows of raw or segmented text (spaces, punctuation and case are ignored)."""
    return FeatureUnion([("ngrams", NgramFeatures(min_df=2, words=True))])


def model_on_segmented(c: float = DEFAULT_C) -> Pipeline:
    """Features and classifier; reads raw text as well as segmented text (the name is historical)."""
    classify = LinearSVC(C=c, class_weight="balanced", tol=TOLERANCE)
    return Pipeline([("features", features()), ("classify", classify)])


def model_full(c: float = DEFAULT_C) -> Pipeline:
    """The complete pipeline stored in a model file: raw text in, category out."""
    return model_on_segmented(c)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    if scores.ndim == 1:  # two classes: LinearSVC returns the score of the second one only
        scores = np.column_stack([-scores, scores]) / 2
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit_temperature(scores: np.ndarray, truth: Sequence[str], classes: Sequence[str]) -> float:
    """The temperature that minimises the log-loss of the softmax on out-of-fold scores."""
    index = {c: i for i, c in enumerate(classes)}
    rows = np.arange(len(truth))
    columns = np.array([index[t] for t in truth])
    best, best_loss = DEFAULT_TEMPERATURE, float("inf")
    for temperature in np.geomspace(0.02, 5.0, 60):
        p = softmax(scores, float(temperature))[rows, columns]
        loss = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return round(best, 4)
