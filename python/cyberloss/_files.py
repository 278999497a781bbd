"""Every file the package writes goes through here: checked before a run, written atomically.

``check(path, option, formats)`` is called before a long run: the extension must be one the
command writes, the folder must exist and accept a new file (tried, not guessed from the
permission bits, which root ignores), and the destination must be a regular file or absent.
``write(path, option, writer)`` writes into a temporary file in the destination's folder,
flushes and fsyncs it, and ``os.replace``s it over the destination: a reader (or a kill -9 at
any moment) sees the old file or the new one, never a part.  On any error the temporary file
is removed, the destination is untouched and ``OutputError`` names the option and the path.
The temporary file is removed as well on Ctrl-C, and on SIGTERM or SIGHUP in the command
line, which raises them as exceptions.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
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
    probe: list[Path] = []
    try:
        os.close(_new_file(d, ".cyberloss-probe-", "", probe))
    except OSError as exc:
        raise OutputError(option, shown, f"cannot create a file in {d}: {_reason(exc)}",
                          exc.errno) from None
    finally:
        _remove(probe)
    return d


def _new_file(folder: Path, prefix: str, suffix: str, names: list[Path]) -> int:
    """Create a new file ``<folder>/<prefix><random><suffix>``, readable by its owner only,
    and return its descriptor.  Its name is put in ``names`` before the file is created, so
    that an exception at any moment after (SIGTERM in the command line) leaves the caller the
    name to remove; tempfile.mkstemp would leave a file whose name nobody holds."""
    for _ in range(100):
        names.append(folder / f"{prefix}{secrets.token_hex(4)}{suffix}")
        try:
            return os.open(names[-1], os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            names.pop()
            if exc.errno != errno.EEXIST:
                raise
    raise FileExistsError(errno.EEXIST, f"no unused temporary file name in {folder}")


def _remove(names: list[Path]) -> None:
    for name in names:
        try:
            os.unlink(name)
        except OSError:
            pass


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
    tmp: list[Path] = []
    try:
        with os.fdopen(_new_file(folder, f".{p.name}.", ".part", tmp), "wb") as fh:
            writer(fh)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp[0], p)
    except BaseException as exc:
        _remove(tmp)
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
