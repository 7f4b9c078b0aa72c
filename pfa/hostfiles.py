"""Reading host files on behalf of a document, and only where the host allows it.

A PFA document is untrusted: the only files it may name are the external initial values of
cells and pools (``"source": "json"`` or ``"avro"``), and those are read only when the
embedding program passes an allow-list of directories (``Engine.from_json(...,
allow_files=[...])``, ``pfa run --allow-files DIR``). A name is resolved (symbolic links,
``..``) before it is compared with the allowed directories; only regular files are read
(never devices or FIFOs), and at most :data:`MAX_INIT_FILE_BYTES` bytes of them.

What is not guarded: a file replaced (for instance by a symbolic link) between the check and
the read by someone who can write inside an allowed directory.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MAX_INIT_FILE_BYTES", "FileRefused", "FileAllowList", "read_regular_file"]

MAX_INIT_FILE_BYTES = 64 * 2**20
"""Largest external initial-value file read for a cell or pool (64 MiB)."""

_URL_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*://.*")  # the spec's URL pattern (cells, init)


class FileRefused(Exception):
    """A file cannot or may not be read; the message says why (no path prefix)."""


@dataclass(frozen=True)
class FileAllowList:
    """Directories (resolved, absolute) under which documents may name files."""

    dirs: tuple[str, ...]
    max_bytes: int = MAX_INIT_FILE_BYTES

    @classmethod
    def of(cls, allow_files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None
           ) -> FileAllowList | None:
        """The allow-list from a directory or an iterable of directories (None: no access).

        Raises ValueError if an entry is not an existing directory.
        """
        if allow_files is None:
            return None
        if isinstance(allow_files, (str, bytes, os.PathLike)):
            allow_files = [allow_files]  # type: ignore[list-item]
        dirs = []
        for d in allow_files:  # type: ignore[union-attr]
            real = os.path.realpath(os.fsdecode(d))
            if not os.path.isdir(real):
                raise ValueError(f"allow_files: {os.fsdecode(d)!r} is not a directory")
            dirs.append(real)
        return cls(tuple(dirs)) if dirs else None

    def resolve(self, name: str) -> str:
        """The real path of ``name`` (relative names are relative to the working directory)
        if it lies inside an allowed directory; raises :class:`FileRefused` otherwise."""
        if _URL_RE.fullmatch(name):
            raise FileRefused("URLs are never fetched")
        if "\0" in name:
            raise FileRefused("a file name cannot contain a NUL character")
        real = os.path.realpath(name)
        for d in self.dirs:
            if os.path.commonpath([d, real]) == d:
                return real
        raise FileRefused("it is outside the directories the host allows ("
                          + ", ".join(self.dirs) + ")")


def read_regular_file(path: str, max_bytes: int, *, allow_pipe: bool = False) -> bytes:
    """The content of ``path`` if it is a regular file of at most ``max_bytes`` bytes (or,
    with ``allow_pipe``, a FIFO such as a shell's ``<(...)``, read up to the same bound).

    Opening does not block on a FIFO; devices (``/dev/zero``), directories and sockets are
    refused before anything is read. Raises :class:`FileRefused`.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise FileRefused(err.strerror or str(err)) from None
    except ValueError as err:  # a NUL character in the name
        raise FileRefused(str(err)) from None
    try:
        st = os.fstat(fd)
        pipe = allow_pipe and stat.S_ISFIFO(st.st_mode)
        if not (stat.S_ISREG(st.st_mode) or pipe):
            kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise FileRefused(f"it is {kind}")
        if st.st_size > max_bytes:
            raise FileRefused(f"it has {st.st_size:,} bytes, more than the limit of "
                              f"{max_bytes:,}")
        if pipe:
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as err:
        raise FileRefused(err.strerror or str(err)) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew while it was read, or a long pipe
        raise FileRefused(f"it has more than {max_bytes:,} bytes, the limit")
    return data
