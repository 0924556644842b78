"""The process-wide jieba tokenizer shared by every app that segments Chinese text.

We use our own `jieba.Tokenizer` rather than jieba's module-level default so that another
library's jieba settings (user dictionaries) cannot change what our index or a trained model
sees. Its prefix-dictionary cache is written under the var directory (or the system temp
directory outside Django), never beside the code, and its chatty start-up log is silenced.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

import jieba

jieba.setLogLevel(logging.WARNING)

_lock = threading.Lock()
_tokenizer: Any = None


def _cache_dir() -> Path:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        base = Path(settings.VAR_DIR) / "cache"
    except (ImproperlyConfigured, AttributeError):  # outside Django (a bare script)
        base = Path(tempfile.gettempdir()) / "jiesu-cache"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        base = Path(tempfile.gettempdir())
    return base


def tokenizer() -> Any:
    """The shared jieba tokenizer, initialised on first use (about 0.6 s, then cached on disk)."""
    global _tokenizer  # lazily built: importing an app must stay cheap
    with _lock:
        if _tokenizer is None:
            built = jieba.Tokenizer()
            built.tmp_dir = str(_cache_dir())
            built.initialize()
            _tokenizer = built
    return _tokenizer
