"""Versioned model files: a fixed signature, a JSON header, then the pickled pipeline.

Model files are TRUSTED ARTEFACTS: the pipeline is a pickle, and unpickling runs code. Only load
files this installation trained (or received through a controlled channel). The header is read
and checked first, so a file that is not ours, of another format version, from another
scikit-learn version or damaged is refused without unpickling it; the header check is a guard
against mistakes, not against a forger, who could write a valid header. The metadata is also
written beside the model as `<file>.json` for people and other tools.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from jiesu.intel.errors import ModelFileError
from jiesu.intel.training import TrainedModel

SIGNATURE = b"JIESU-INTEL-MODEL\n"
FORMAT = "jiesu-intel-classifier"
FORMAT_VERSION = 1
_LENGTH = struct.Struct(">I")
_MAX_HEADER = 4 * 1024 * 1024


def model_save(model: TrainedModel, path: Path) -> dict[str, Any]:
    """Writes the model file and its JSON sidecar; returns the header written."""
    buffer = io.BytesIO()
    joblib.dump(model.pipeline, buffer, compress=3)
    payload = buffer.getvalue()
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_version": sklearn.__version__,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "metadata": model.metadata,
    }
    encoded = json.dumps(header, ensure_ascii=False).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SIGNATURE + _LENGTH.pack(len(encoded)) + encoded + payload)
        sidecar(path).write_text(json.dumps(header, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError as exc:
        raise ModelFileError(f"无法写入模型文件 {path}：{exc.strerror}") from exc
    return header


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ModelFileError(f"找不到模型文件：{path}") from exc
    except OSError as exc:
        raise ModelFileError(f"无法读取模型文件 {path}：{exc.strerror}") from exc


def model_header(path: Path) -> tuple[dict[str, Any], bytes]:
    """The checked header and the payload bytes, without unpickling anything."""
    data = _read(path)
    not_ours = ModelFileError(f"{path} 不是接诉文本分类模型文件")
    if not data.startswith(SIGNATURE) or len(data) < len(SIGNATURE) + _LENGTH.size:
        raise not_ours
    start = len(SIGNATURE) + _LENGTH.size
    (length,) = _LENGTH.unpack_from(data, len(SIGNATURE))
    try:
        header = json.loads(data[start : start + min(length, _MAX_HEADER)].decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise not_ours from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise not_ours
    if header.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"模型文件格式版本为 {header.get('format_version')}，本程序只支持版本 {FORMAT_VERSION}，请重新训练模型"
        )
    if header.get("sklearn_version") != sklearn.__version__:
        raise ModelFileError(
            f"模型由 scikit-learn {header.get('sklearn_version')} 训练，当前为 {sklearn.__version__}，请重新训练模型"
        )
    payload = data[start + length :]
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise ModelFileError(f"模型文件 {path} 已损坏（校验值不符）")
    return header, payload


def model_load(path: Path) -> TrainedModel:
    header, payload = model_header(path)
    pipeline = joblib.load(io.BytesIO(payload))  # trusted artefact: see the module docstring
    if not isinstance(pipeline, Pipeline):
        raise ModelFileError(f"{path} 不是接诉文本分类模型文件")
    return TrainedModel(pipeline=pipeline, metadata=dict(header.get("metadata") or {}))
