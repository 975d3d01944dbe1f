"""File helpers shared by the commands that write an output file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any


def _new_file_mode() -> int:
    """The permission bits `open(path, "w")` would give a new file (0o666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_write(
    path: str | os.PathLike,
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = "",
) -> Iterator[IO[Any]]:
    """Open a temporary file next to `path`; on success move it onto `path` in one step.

    If the block raises, the temporary file is deleted and `path` is left exactly as it was
    (absent, or holding the previous contents), so a failed run never destroys an earlier output.
    A symbolic link at `path` is followed, so the file it points at is the one replaced.

    Example:
        >>> with atomic_write("report.html") as out:  # doctest: +SKIP
        ...     out.write(render_report(items))
    """
    target = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": newline}
    try:
        with os.fdopen(fd, mode, **kwargs) as handle:
            try:
                os.chmod(tmp, os.stat(target).st_mode & 0o7777)
            except FileNotFoundError:
                os.chmod(tmp, _new_file_mode())
            yield handle
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def display_path(path: str | bytes | os.PathLike) -> str:
    """`path` as text that can be printed and stored: bytes that are not UTF-8 become `\\xNN`.

    A file name copied from a Windows zip (`article7\\xe9t\\xe9.txt`, Latin-1 bytes) reaches Python
    as a string with lone surrogates, which no UTF-8 terminal, log or database accepts. The result
    is stable (the same name always gives the same text), so it can identify an input across runs.

    Example:
        >>> display_path(os.fsdecode(b"article7\\xe9t\\xe9.txt"))
        'article7\\\\xe9t\\\\xe9.txt'
    """
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace")
