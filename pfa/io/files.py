"""Opening the byte streams of data files: a path or ``-`` (standard input/output), with
one clear error naming the file."""

from __future__ import annotations

import sys
from typing import IO, Any

from .errors import DataFileError
from .registry import STDIO


def open_input(path: str) -> IO[bytes]:
    """The binary stream of input ``path`` (``-``: standard input)."""
    if path == STDIO:
        return getattr(sys.stdin, "buffer", sys.stdin)
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the reader
    except (OSError, ValueError) as exc:
        raise DataFileError(path, f"cannot read: {_reason(exc)}") from None


def open_output(path: str) -> IO[bytes]:
    """The binary stream of output ``path`` (``-``: standard output)."""
    if path == STDIO:
        return getattr(sys.stdout, "buffer", sys.stdout)
    try:
        return open(path, "wb")  # noqa: SIM115 - closed by the writer
    except (OSError, ValueError) as exc:
        raise DataFileError(path, f"cannot write: {_reason(exc)}") from None


def close_stream(stream: Any, path: str) -> None:
    """Close ``stream`` unless it is standard input/output (which is only flushed)."""
    if path == STDIO:
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()
    else:
        stream.close()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def require_file(path: str, fmt: str) -> None:
    """DataFileError unless ``path`` names a file (formats that seek cannot use a pipe)."""
    if path == STDIO:
        raise DataFileError(path, f"{fmt} cannot be read from standard input or written to "
                                  "standard output (it needs a seekable file); give a file "
                                  "name")
