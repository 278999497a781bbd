"""Every file the package writes goes through here: checked before a run, written atomically.

``check(path, option, formats)`` is called before a long run: the extension must be one the
command writes, the folder must exist and accept a new file (tried, not guessed from the
permission bits, which root ignores), and the destination must be a regular file or absent.
``write(path, option, writer)`` writes into a temporary file in the destination's folder,
flushes and fsyncs it, and ``os.replace``s it over the destination: a reader (or a kill -9 at
any moment) sees the old file or the new one, never a part.  On any error the temporary file
is removed, the destination is untouched and ``OutputError`` names the option and the path
(its :meth:`~OutputError.japanese` says the same in Japanese, the system's reason by its errno:
:func:`japanese_reason`).
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

#: The system's reasons for a failed file operation (errno) in Japanese, as the command line
#: says them under ``--lang ja``; an errno not here keeps the system's English reason.
REASONS_JA: dict[int | None, str] = {
    errno.EACCES: "アクセス権がない", errno.EPERM: "操作が許可されていない",
    errno.ENOSPC: "ディスクの空き容量がない", errno.EDQUOT: "ディスク使用量の上限（クォータ）を超えた",
    errno.EROFS: "読み取り専用のファイルシステムである", errno.EFBIG: "ファイルが大きすぎる",
    errno.EISDIR: "フォルダである", errno.ENOTDIR: "パスの途中にフォルダでないものがある",
    errno.EEXIST: "既に存在する", errno.ENOENT: "ファイルまたはフォルダがない",
    errno.ENAMETOOLONG: "ファイル名が長すぎる", errno.ELOOP: "シンボリックリンクが多すぎる（循環している）",
    errno.EIO: "入出力エラー（ディスクや装置の障害）", errno.EBUSY: "使用中である",
    errno.ETXTBSY: "実行中のファイルである", errno.EMFILE: "開いているファイルが多すぎる",
    errno.ENFILE: "開いているファイルが多すぎる", errno.ENXIO: "装置がない", errno.ENODEV: "装置がない",
    errno.ENOMEM: "メモリが足りない", errno.EBADF: "閉じられている",
    errno.ESTALE: "ネットワーク上のファイルが無効になった",
}


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def japanese_reason(exc: OSError) -> str:
    """The system's reason for ``exc`` in Japanese where its errno has a wording, else in English."""
    return REASONS_JA.get(exc.errno, _reason(exc))


class OutputError(OSError):
    """A file could not be written; ``str()`` is one line naming the option and the path, and
    :meth:`japanese` the same in Japanese (``reason_ja``; by default the errno's wording, else
    the English ``reason``)."""

    def __init__(self, option: str, path: Path, reason: str, code: int | None = None,
                 reason_ja: str | None = None):
        super().__init__(code, f"{option} {path}: {reason}")
        self.option, self.path, self.reason = option, path, reason
        self.reason_ja = REASONS_JA.get(code, reason) if reason_ja is None else reason_ja

    def __str__(self) -> str:
        return str(self.strerror)

    def japanese(self, label_of=None) -> str:
        return _destination_ja(self.option, self.path, self.reason_ja)


class NameRefused(ValueError):
    """A destination refused for its name (an extension the command does not write, no file
    name): ValueError, as any refusal of a value, with its Japanese."""

    def __init__(self, english: str, option: str, path: str | os.PathLike, reason_ja: str):
        super().__init__(english)
        self.option, self.path, self.reason_ja = option, path, reason_ja

    def japanese(self, label_of=None) -> str:
        return _destination_ja(self.option, self.path, self.reason_ja)


def _destination_ja(option: str, path: str | os.PathLike, reason_ja: str) -> str:
    """"引数 --out y.csv: <reason>" (a command-line option is so called; an API's parameter not)."""
    return f"{'引数 ' if option.startswith('-') else ''}{option} {os.fspath(path)}: {reason_ja}"


def suffix(path: str | os.PathLike, option: str, formats: Iterable[str]) -> str:
    """The lower-case extension of ``path`` if it is one of ``formats``, else ValueError."""
    allowed = tuple(formats)
    ext = Path(path).suffix.lower()
    if ext not in allowed:
        shown = repr(ext) if ext else "none"
        raise NameRefused(f"{option} {path}: extension {shown} is not one this command writes "
                          f"(use {', '.join(allowed)})", option, path,
                          (f"拡張子 {shown} のファイルは書き出せない" if ext else "拡張子がない")
                          + f"（{'、'.join(allowed)} のいずれかにする）")
    return ext


def check(path: str | os.PathLike, option: str, formats: Iterable[str] | None = None) -> Path:
    """Refuse, before any work, a destination that cannot be written."""
    p = Path(path)
    if formats is not None:
        suffix(p, option, formats)
    if str(p) == "" or p.name in ("", ".", ".."):
        raise NameRefused(f"{option} {str(path)!r}: not a file name", option, repr(str(path)), "ファイル名ではない")
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(option, p, _reason(exc), exc.errno) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(option, p, "is a folder, not a file", errno.EISDIR, "フォルダであり、ファイルではない")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(option, p, "is not a regular file (it cannot be replaced safely)",
                              reason_ja="通常のファイルではない（安全に置き換えられない）")
    check_folder(p.parent if str(p.parent) else Path("."), option, shown=p)
    return p


def check_folder(folder: str | os.PathLike, option: str, shown: Path | None = None) -> Path:
    """The folder exists, is a folder and accepts a new file (tried with a temporary file)."""
    d = Path(folder)
    shown = d if shown is None else shown
    if not d.exists():
        raise OutputError(option, shown, f"folder {d} does not exist", errno.ENOENT, f"フォルダ {d} がない")
    if not d.is_dir():
        raise OutputError(option, shown, f"{d} is not a folder", errno.ENOTDIR, f"{d} はフォルダではない")
    probe: list[Path] = []
    try:
        os.close(_new_file(d, ".cyberloss-probe-", "", probe))
    except OSError as exc:
        raise OutputError(option, shown, f"cannot create a file in {d}: {_reason(exc)}",
                          exc.errno, f"{d} にファイルを作れない（{japanese_reason(exc)}）") from None
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
            raise OutputError(option, p, _reason(exc), exc.errno, f"書き込めない（{japanese_reason(exc)}）") from None
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
