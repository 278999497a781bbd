"""Every file the package writes goes through here: checked before a run, written atomically.

``check(path, option, formats)`` is called before a long run: the extension must be one the
command writes, the folder must exist and accept a new file (tried, not guessed from the
permission bits, which root ignores), and the destination must be a regular file or absent.
``write(path, option, writer)`` writes into a temporary file in the destination's folder,
flushes and fsyncs it, and ``os.replace``s it over the destination: a reader (or a kill -9 at
any moment) sees the old file or the new one, never a part.  On any error the temporary file
is removed, the destination is untouched and ``OutputError`` names the option and the path.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable


class OutputError(OSError):
    """A file could not be written; ``str()`` is one line naming the option and the path."""

    def __init__(self, option: str, path: Path, reason: str, code: int | None = None):
        super().__init__(code, f"{option} {path}: {reason}")
        self.option, self.path, self.reason = option, path, reason

    def __str__(self) -> str:
        return str(self.strerror)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def suffix(path: str | os.PathLike, option: str, formats: Iterable[str]) -> str:
    """The lower-case extension of ``path`` if it is one of ``formats``, else ValueError."""
    allowed = tuple(formats)
    ext = Path(path).suffix.lower()
    if ext not in allowed:
        shown = repr(ext) if ext else "none"
        raise ValueError(f"{option} {path}: extension {shown} is not one this command writes "
                         f"(use {', '.join(allowed)})")
    return ext


def check(path: str | os.PathLike, option: str, formats: Iterable[str] | None = None) -> Path:
    """Refuse, before any work, a destination that cannot be written."""
    p = Path(path)
    if formats is not None:
        suffix(p, option, formats)
    if str(p) == "" or p.name in ("", ".", ".."):
        raise ValueError(f"{option} {str(path)!r}: not a file name")
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(option, p, _reason(exc), exc.errno) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(option, p, "is a folder, not a file", errno.EISDIR)
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(option, p, "is not a regular file (it cannot be replaced safely)")
    check_folder(p.parent if str(p.parent) else Path("."), option, shown=p)
    return p


def check_folder(folder: str | os.PathLike, option: str, shown: Path | None = None) -> Path:
    """The folder exists, is a folder and accepts a new file (tried with a temporary file)."""
    d = Path(folder)
    shown = d if shown is None else shown
    if not d.exists():
        raise OutputError(option, shown, f"folder {d} does not exist", errno.ENOENT)
    if not d.is_dir():
        raise OutputError(option, shown, f"{d} is not a folder", errno.ENOTDIR)
    try:
        fd, probe = tempfile.mkstemp(dir=d, prefix=".cyberloss-probe-")
    except OSError as exc:
        raise OutputError(option, shown, f"cannot create a file in {d}: {_reason(exc)}",
                          exc.errno) from None
    os.close(fd)
    os.unlink(probe)
    return d


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write(path: str | os.PathLike, option: str, writer: Callable[[BinaryIO], None]) -> Path:
    """Write ``path`` atomically: ``writer`` fills a binary file object in the same folder,
    which then replaces the destination.  Returns the path."""
    p = check(path, option)
    folder = p.parent if str(p.parent) else Path(".")
    mode = _mode_for(p)
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{p.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(option, p, _reason(exc), exc.errno) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            writer(fh)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(option, p, _reason(exc), exc.errno) from None
        raise
    _sync_folder(folder)
    return p


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text(path: str | os.PathLike, option: str, text: str) -> Path:
    """Write UTF-8 text atomically."""
    data = text.encode("utf-8")

    def writer(fh: BinaryIO) -> None:
        fh.write(data)

    return write(path, option, writer)
