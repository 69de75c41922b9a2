"""Content hashes that key cached models and predictions: same inputs, same file under var/."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

LENGTH = 16


def of_texts(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:LENGTH]


def of_files(paths: Iterable[Path], root: Path) -> str:
    """Names (relative to `root`) and contents, so a renamed or moved file changes the hash."""
    parts: list[str] = []
    for path in sorted(paths):
        parts += [path.resolve().relative_to(root.resolve()).as_posix(), path.read_text()]
    return of_texts(parts)


def of_data(path: Path) -> str:
    """A data file, or every file of a data folder."""
    if path.is_dir():
        return of_files((p for p in path.rglob("*") if p.is_file()), path)
    return of_texts([path.read_text()])
