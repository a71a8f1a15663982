"""Which models numba has already compiled on this machine: markers in the cache folder.

``simulate(..., backend="auto")`` runs a model's numba code only when it is *warm*: numba
compiled it, or loaded it from the disk cache (`sdflow.compile.numba_cache`), in some
process on this machine, so that this process pays a load (a fraction of a second to two
seconds, once) rather than a compile (seconds to a minute). Telling warm from cold must be
cheap, since every first run of every model asks: generating the numba source of a model
that was never compiled, only to hash it and find nothing on disk, would cost more than the
run. So the question is asked of something already at hand.

Design. When a numba model has been compiled or loaded, and its code is kept in the
shared cache folder, an empty file is written in ``<cache folder>/numba/warm/``, named by
`warm_key`: a hash of

* the source the numpy path generates for the same per-run parameters and outputs (the
  single-run code path's, scalar for a model without dimensions, which ``auto`` compiles
  for a single run anyway) and the tables it holds as globals (lookups, data series). That
  source is made from the model graph alone, every equation and folded constant included,
  so a model that differs in anything the numba code depends on differs here too;
* the per-run parameters, the outputs and the method (its Butcher tableau), which the
  numba code is compiled for;
* numba's version and the bytes of the numba helpers (`numba_runtime`, `runtime`), which
  the disk cache's own key also covers.

Asking is then a hash of a source (tens of kilobytes: microseconds) and one ``stat``; the
answer is kept per graph and key in the graph's ``memo``, beside the compile cache
(`sdflow.compile.cache`), so a process asks once per model. A marker whose code has since
vanished (the ``__pycache__`` deleted by hand) costs one compile, which writes the code
again; a model whose code is on disk without a marker (compiled before markers existed)
is cold until its next numba run. Deleting the cache folder resets both.

Examples
--------
>>> import sdflow as sf
>>> from sdflow.solve.solvers import Euler
>>> m = sf.Model("decay", start=0, stop=1, dt=0.5)
>>> x = m.stock("x", initial=1.0)
>>> _ = m.flow("out", x * 0.1, source=x)
>>> key = warm_key(m.graph(), (), None, Euler.tableau)  # doctest: +SKIP
>>> len(key), is_warm(key)  # doctest: +SKIP
(32, False)

(skipped as a doctest: numba is optional, and the answer depends on the cache folder)
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

from ..files import cache_dir
from ..ir.graph import ModelGraph
from .cache import entries
from .numba_cache import hash_globals, helpers_digest


def numba_installed() -> bool:
    """Whether numba can be imported, found without importing it (importing numba takes a
    fraction of a second)."""
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):  # a broken or half-imported package
        return False


def warm_key(graph: ModelGraph, params: tuple[str, ...], outputs, tableau) -> str:
    """The name of the marker of ``graph``'s numba code for the per-run parameters
    ``params`` (sorted keys), ``outputs`` (keys, or None for the default ones) and the
    method ``tableau``; made once per graph (see the module's docstring)."""
    outputs = None if outputs is None else tuple(outputs)
    return _remembered(graph, ("key", params, outputs, tableau),
                       lambda: _key(graph, params, outputs, tableau))


def _remembered(graph: ModelGraph, key, make):
    """Kept in the graph's ``memo`` beside the compile cache (`sdflow.compile.cache`),
    whose entries are compiled models: freed with the graph."""
    found = graph.memo.setdefault(__name__, {})
    if key not in found:
        found[key] = make()
    return found[key]


def _key(graph, params, outputs, tableau) -> str:
    from .cache import compiled_for
    scalar = all(not n.dims for n in graph.nodes.values()) and not any(
        n.kind == "pipeline" for n in graph.nodes.values())  # `compile_model`'s default
    compiled = compiled_for(graph, params, scalar=scalar, outputs=outputs)
    digest = hashlib.sha256(helpers_digest())
    for text in (compiled.source, repr(params), repr(outputs), repr(tableau)):
        digest.update(text.encode())
        digest.update(b"\0")
    hash_globals(digest, compiled._writer.namespace if compiled._writer is not None else {})
    return digest.hexdigest()[:32]


def _marker(key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / "numba" / "warm" / key


def is_warm(key: str) -> bool:
    """Whether the marker ``key`` is in the cache folder."""
    path = _marker(key)
    try:
        return path is not None and path.is_file()
    except OSError:
        return False


def mark_warm(key: str) -> None:
    """Write the marker ``key`` (an empty file); a folder that cannot be written leaves
    the model cold, which is only slower."""
    path = _marker(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError:
        pass


def numba_key(params: tuple[str, ...], outputs, tableau) -> tuple:
    """The compile cache's key of a numba model (`numba_backend.run_numba`)."""
    return ("numba", params, None if outputs is None else tuple(outputs), tableau)


def numba_is_warm(graph: ModelGraph, params: tuple[str, ...], outputs, tableau) -> bool:
    """Whether ``auto`` runs ``graph`` with numba for these per-run parameters (sorted
    keys), outputs and method: numba is installed, the model is one numba runs, and its
    code was compiled or loaded in this process, or its marker is in the cache folder.
    The answer is kept in the graph's ``memo``, so a process asks the disk once per model.

    The caller checks that the method is a fixed-step one."""
    compiled = entries(graph).get(numba_key(params, outputs, tableau))
    if compiled is not None and compiled.jit_seconds is not None:
        return True  # compiled or loaded in this process (e.g. by `precompile`)
    outputs = None if outputs is None else tuple(outputs)
    return _remembered(graph, ("warm", params, outputs, tableau),
                       lambda: _decide(graph, params, outputs, tableau))


def _decide(graph, params, outputs, tableau) -> bool:
    from ..errors import UnsupportedBackendError
    from .numba_backend import check_numba_supports
    if not numba_installed():
        return False
    try:
        check_numba_supports(graph)
    except UnsupportedBackendError:
        return False
    return is_warm(warm_key(graph, params, outputs, tableau))
