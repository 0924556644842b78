"""Files that hold personal data in clear: private modes, SHA-256 on the way, attachment blobs."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from django.conf import settings

from jiesu.tickets.services.attachments import attachment_path

CHUNK = 1024 * 1024
SHA256_NAME = re.compile(r"[0-9a-f]{64}")


def private_directory(path: Path) -> None:
    """Create `path` (and parents) readable by the owner only; tighten it if it exists."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


class HashingWriter:
    """A new file, mode 0600, that counts and hashes every byte written to it.

    Also serves as tarfile's file object, hence `tell`.
    """

    def __init__(self, path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.path = path
        self._file = os.fdopen(fd, "wb", buffering=CHUNK)
        self._digest = hashlib.sha256()
        self.size = 0
        self.newlines = 0

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        self.size += len(data)
        self.newlines += data.count(b"\n")
        return self._file.write(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def __enter__(self) -> HashingWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class HashingReader:
    """Reads a file for tarfile while hashing it, so each member is read from disk once."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._digest.update(data)
        return data

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


def sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def copy_hashed(source: IO[bytes], target: Path) -> tuple[str, int]:
    """Copy a stream into a new private file; the SHA-256 and size of what was copied."""
    with HashingWriter(target) as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)
    return out.sha256, out.size


def attachment_install(source: Path, sha256: str, *, move: bool = False) -> bool:
    """Put a verified blob where the attachment store expects it; False when already there.

    Written beside its final name and renamed, so a reader never sees half a file; an existing
    file is replaced only when its content does not match its name.
    """
    final = attachment_path(sha256)
    if final.exists() and sha256_file(final)[0] == sha256:
        if move:
            source.unlink()
        return False
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = final.parent / f".handover-{secrets.token_hex(8)}"
    if move:
        os.replace(source, staged)
    else:
        shutil.copyfile(source, staged)
    staged.chmod(0o440)
    os.replace(staged, final)
    return True


def attachment_blobs() -> Iterator[Path]:
    """Every stored blob under ATTACHMENT_ROOT (<aa>/<bb>/<sha256>), in name order.

    Skips uploads in progress and anything else that is not a blob.
    """
    root = Path(settings.ATTACHMENT_ROOT)
    if not root.is_dir():
        return
    for first in sorted(p for p in root.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{2}", p.name)):
        for second in sorted(p for p in first.iterdir() if p.is_dir() and re.fullmatch(r"[0-9a-f]{2}", p.name)):
            yield from sorted(
                p
                for p in second.iterdir()
                if p.is_file() and SHA256_NAME.fullmatch(p.name) and p.name[:4] == first.name + second.name
            )
