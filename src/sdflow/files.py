"""Writing output files so that a reader never sees half of one, and where sdflow keeps
its caches."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

#: Temporary files are named ``.<target name>.tmp-<random hex>`` next to their target.
TEMP_MARKER = ".tmp-"


def temporary_name(path: Path) -> str:
    """The prefix of the temporary files that writes of ``path`` use.

    Examples
    --------
    >>> temporary_name(Path("out/run.csv"))
    '.run.csv.tmp-'
    """
    return f".{path.name}{TEMP_MARKER}"


def atomic_write(path: Path, write) -> Path:
    """Call ``write(tmp_path)`` then move the file into place in one step.

    A reader never sees a half-written file, and a failing ``write`` leaves the old file
    (if any) untouched and no temporary file behind. The new file gets the permissions of
    any other new file (``0o666`` less the umask). Its data are flushed to disk (``fsync``)
    before the rename, and the folder after it where the system allows, so a crash cannot
    leave an empty file under the target's name. Temporary files of the same target left by
    a write that was killed (``.<name>.tmp-<hex>``, older than this write) are removed once
    this write succeeds.

    Parameters
    ----------
    path : Path
        The file to write; its folder is created if missing.
    write : callable
        Called with the temporary path (a str in the same folder) to write to.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out" / "a.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hello")).read_text()
    'hello'
    >>> def fail(tmp):
    ...     pathlib.Path(tmp).write_text("half")
    ...     raise OSError("disk full")
    >>> atomic_write(target, fail)
    Traceback (most recent call last):
    ...
    OSError: disk full
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('hello', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    tmp = _create_temporary(path)
    try:
        write(tmp)
        _fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_folder(path.parent)
    remove_stale_temporaries(path, older_than=started)
    return path


def _create_temporary(path: Path) -> str:
    """A new empty file next to ``path``, made with the umask's permissions.

    ``tempfile.mkstemp`` would make it readable by the owner only (0o600), and the final
    file keeps the mode of the temporary one.
    """
    prefix = temporary_name(path)
    for _ in range(100):
        tmp = str(path.parent / f"{prefix}{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"cannot create a temporary file '{prefix}*' in {path.parent}: "
                          "remove the leftover temporary files there")


def _fsync_file(name: str) -> None:
    try:  # Windows needs a writable handle to flush; POSIX accepts a read-only one
        fd = os.open(name, os.O_RDWR)
    except OSError:
        fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; not every system can open or flush a folder."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(path: Path, older_than: float) -> list[Path]:
    """Remove temporary files of writes of ``path`` last modified before ``older_than``
    (a ``time.time()`` value): leftovers of writes that were killed before they could
    clean up. Temporary files of other targets are left alone.

    Returns the removed files.

    Examples
    --------
    >>> import pathlib, tempfile, time
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".a.csv.tmp-dead").write_text("half")
    >>> [p.name for p in remove_stale_temporaries(folder / "a.csv", time.time() + 1)]
    ['.a.csv.tmp-dead']
    """
    path = Path(path)
    removed = []
    for candidate in path.parent.glob(f"{_glob_escape(temporary_name(path))}*"):
        try:
            if candidate.stat().st_mtime < older_than:
                candidate.unlink()
                removed.append(candidate)
        except FileNotFoundError:  # another write cleaned it up meanwhile
            continue
    return removed


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def cache_dir() -> Path | None:
    """The folder of sdflow's caches (compiled code, parsed unit definitions), created
    when first written to: ``$SDFLOW_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/sdflow``
    or ``~/.cache/sdflow``; None when there is no home folder to put it in. Deleting it
    is always safe.

    Examples
    --------
    >>> import os
    >>> os.environ["SDFLOW_CACHE_DIR"] = "/tmp/sdflow-cache"
    >>> str(cache_dir())
    '/tmp/sdflow-cache'
    >>> del os.environ["SDFLOW_CACHE_DIR"]
    """
    chosen = os.environ.get("SDFLOW_CACHE_DIR")
    if chosen:
        return Path(chosen)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    return Path(base) / "sdflow"
