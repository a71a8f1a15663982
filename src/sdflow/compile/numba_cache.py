"""numba's compiled code kept on disk, keyed by the generated source: a model compiles
once per machine, not once per process.

numba caches (``cache=True``) only functions defined in a file, so the generated source of
`sdflow.compile.numba_backend` is written to a cache folder under a name made from the
hash of everything the compiled code depends on: the source, the values of the tables it
reads as globals (lookups, data series: numba folds them into the machine code), the
helpers it calls (`sdflow.compile.numba_runtime`, whose changes numba's own cache would not
notice) and the numba version. The file is imported from there and numba keeps its
compiled code next to it (``__pycache__``). The folder is ``$SDFLOW_CACHE_DIR`` if set,
else ``$XDG_CACHE_HOME/sdflow`` or ``~/.cache/sdflow``; deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import sys
import tempfile
import types
from pathlib import Path

import numpy as np

from ..files import cache_dir


def source_key(source: str, namespace: dict) -> str:
    """The hash naming a generated module: its source, the arrays and numbers among its
    globals, the runtime helpers' source and numba's version."""
    digest = hashlib.sha256(helpers_digest())
    digest.update(source.encode())
    hash_globals(digest, namespace)
    return digest.hexdigest()[:32]


_HELPERS: dict = {}


def helpers_digest() -> bytes:
    """numba's version and the bytes of the helpers generated code calls
    (`sdflow.compile.numba_runtime`, `sdflow.compile.runtime`), whose changes numba's own
    cache would not notice; computed once per process, without importing numba."""
    if "digest" not in _HELPERS:
        from . import numba_runtime, runtime
        digest = hashlib.sha256(importlib.metadata.version("numba").encode())
        for module in (numba_runtime, runtime):
            digest.update(Path(module.__file__).read_bytes())
        _HELPERS["digest"] = digest.digest()
    return _HELPERS["digest"]


def hash_globals(digest, namespace: dict) -> None:
    """Add the arrays and numbers among a generated module's globals (lookup tables, data
    series) to ``digest``: numba folds them into the machine code, so code that reads
    other values is other code. Modules, functions and dunder names are left out."""
    for name in sorted(namespace):
        value = namespace[name]
        if not isinstance(value, (np.ndarray, float, int, list, tuple)):
            continue
        try:
            array = np.ascontiguousarray(value)
        except ValueError:  # a ragged list
            array = None
        if array is None or array.dtype == object:
            digest.update(f"{name}={value!r}".encode())
            continue
        digest.update(f"{name}:{array.dtype}:{array.shape}:".encode())
        digest.update(array.tobytes())


def import_cached(source: str, namespace: dict) -> types.ModuleType:
    """The generated module, written to the cache folder (once) and imported from there,
    with ``namespace`` as its globals. Functions of it that numba compiles with
    ``cache=True`` keep their machine code next to the file.

    A cache folder that cannot be written falls back to a temporary folder private to
    this process (never a shared one: numba's cache files are pickles, which must not
    come from anyone else), so the code is then compiled once per process.
    """
    name = f"sdflow_numba_{source_key(source, namespace)}"
    if name in sys.modules:
        return sys.modules[name]
    path = _write_once(name, source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(namespace)
    # numba rebuilds a cached function's environment by importing its module by name
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


_PRIVATE: list[Path] = []


def _private_folder() -> Path:
    if not _PRIVATE:
        _PRIVATE.append(Path(tempfile.mkdtemp(prefix="sdflow-numba-")))
    return _PRIVATE[0]


def _write_once(name: str, source: str) -> Path:
    shared = cache_dir()
    for folder in (None if shared is None else shared / "numba", None):
        folder = folder or _private_folder()
        path = folder / f"{name}.py"
        try:
            if path.exists() and path.read_text() == source:
                return path
            folder.mkdir(parents=True, exist_ok=True)
            # written whole under another name, then renamed: a process importing it at
            # the same time sees the old file or the new one, never half of one
            fd, scratch = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w") as handle:
                handle.write(source)
            os.replace(scratch, path)
            return path
        except OSError:
            continue
    raise OSError(f"no folder to keep compiled code in; set SDFLOW_CACHE_DIR to a writable "
                  f"folder (tried {cache_dir()})")


def kept_on_disk(module: types.ModuleType) -> bool:
    """Whether ``module`` (from `import_cached`) lives in the shared cache folder, where
    later processes find its compiled code (not in this process's private fallback)."""
    shared = cache_dir()
    path = getattr(module, "__file__", None)
    return shared is not None and path is not None and Path(path).parent == shared / "numba"
