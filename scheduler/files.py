"""Writing output files: the one way the engine puts a file on disk.

A file is written whole or not at all: the bytes go to a temporary file in the same
folder, which then replaces the target in one step (``os.replace``), so a reader never
sees half a schedule or half a feed, and an interrupted run leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, creating its missing parent folders; the old file is replaced atomically.

    The file gets the permissions a plain ``open(path, "w")`` would give. Raises
    ``OSError`` (naming the path) when the folder cannot be created or written, or when
    ``path`` is a directory; no temporary file is left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    temporary = path.parent / f".{secrets.token_hex(8)}.partial"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """:func:`write_atomically` for text, encoded as UTF-8."""
    write_atomically(path, text.encode("utf-8"))
