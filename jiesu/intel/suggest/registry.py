"""Versioned suggestion models: `<INTEL_MODEL_ROOT>/suggest/v<N>.joblib` (never overwritten),
their ModelVersion rows (SHA-256 of the file, evaluation) and which one is active.

The loaded active model is cached per process, keyed by version and SHA-256, so that a switch of
the active version (another process, the CLI, the models page) is picked up at the next call.
Before unpickling, the file's SHA-256 must equal the recorded one: a model file is a pickle, and
only files this installation trained are loaded (see jiesu.intel.modelfile).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from sklearn.pipeline import Pipeline

from jiesu.audit.services import audit_record
from jiesu.core.errors import NotFound
from jiesu.intel import modelfile
from jiesu.intel.errors import IntelError, ModelFileError
from jiesu.intel.models import ModelVersion
from jiesu.intel.training import TrainedModel
from jiesu.orgs.models import User

SUBDIRECTORY = "suggest"


@dataclass(frozen=True)
class LoadedModel:
    version: ModelVersion
    pipeline: Pipeline


_lock = threading.Lock()
_cache: dict[str, tuple[int, str, Pipeline]] = {}


def model_path(version: int) -> Path:
    return Path(settings.INTEL_MODEL_ROOT) / SUBDIRECTORY / f"v{version}.joblib"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ModelFileError(f"无法读取模型文件 {path}：{exc.strerror}") from exc
    return digest.hexdigest()


def _summary(evaluation: dict[str, object]) -> dict[str, object]:
    """The figures kept in the database: per head accuracy, macro-F1, top-3 accuracy, rows."""
    heads = evaluation.get("heads")
    if not isinstance(heads, dict):
        heads = {}
    kept = ("rows", "accuracy", "macro_f1", "top3_accuracy", "temperature", "mean_confidence")
    return {
        **{k: v for k, v in evaluation.items() if k != "heads"},
        "heads": {head: {k: v for k, v in figures.items() if k in kept} for head, figures in heads.items()},
    }


def model_register(trained: TrainedModel, *, actor: User | None, activate: bool = True, note: str = "") -> ModelVersion:
    """Write the next version's file and record it; with `activate`, it serves from now on."""
    with transaction.atomic():
        # Two trainings at once collide on the unique version number; the loser rolls back.
        latest = ModelVersion.objects.aggregate(n=Max("version"))["n"] or 0
        number = latest + 1
        path = model_path(number)
        if path.exists() or modelfile.sidecar(path).exists():
            raise IntelError(f"模型文件 {path} 已存在，不会覆盖；请检查 INTEL_MODEL_ROOT")
        modelfile.model_save(trained, path)
        version = ModelVersion.objects.create(
            version=number,
            path=str(path),
            sha256=file_sha256(path),
            rows=int(trained.metadata.get("training_rows", 0)),
            evaluation=_summary(dict(trained.metadata.get("evaluation") or {})),
            trained_by=actor,
            note=note[:200],
        )
        audit_record(actor=actor, action="intel_model.train", obj=version, detail={"version": number})
    if activate:
        model_activate(version=number, actor=actor)
        version.refresh_from_db()
    return version


def model_activate(*, version: int, actor: User | None) -> ModelVersion:
    """Make `version` the one that serves suggestions; its file must still match its SHA-256."""
    row = ModelVersion.objects.filter(version=version).first()
    if row is None:
        raise NotFound(f"模型版本 v{version} 不存在")
    path = Path(row.path)
    if file_sha256(path) != row.sha256:
        raise ModelFileError(f"模型文件 {path} 的校验值与登记不符，不能启用 v{version}")
    with transaction.atomic():
        ModelVersion.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        ModelVersion.objects.filter(pk=row.pk).update(is_active=True)
        audit_record(actor=actor, action="intel_model.activate", obj=row, detail={"version": version})
    row.refresh_from_db()
    return row


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).order_by("-version").first()


def active_model() -> LoadedModel | None:
    """The active model, loaded once per process and version; None when no version is active."""
    row = active_version()
    if row is None:
        return None
    with _lock:
        cached = _cache.get("active")
        if cached is None or cached[:2] != (row.version, row.sha256):
            path = Path(row.path)
            if file_sha256(path) != row.sha256:
                raise ModelFileError(f"模型文件 {path} 的校验值与登记不符，拒绝加载 v{row.version}")
            cached = (row.version, row.sha256, modelfile.model_load(path).pipeline)
            _cache["active"] = cached
    return LoadedModel(version=row, pipeline=cached[2])


def cache_clear() -> None:
    with _lock:
        _cache.clear()
