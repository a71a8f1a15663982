"""`Checkpoint`: finished work of a calibration, kept in one JSON file written atomically.

Each stage (a finished least-squares start, the differential-evolution population after a
generation, a profile, a chunk of MCMC samples) is stored under its own key as soon as it
is done, so an interruption loses at most the stage that was running.

A fingerprint (`fingerprint`) of everything a result depends on is saved with the stages:
the spec, the bytes of every data file, the compiled model and the sdflow version. A
resumed run whose fingerprint differs does not reuse the checkpoint: it starts over and
says, in one logged line, what changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpecError
from ..files import atomic_write

log = logging.getLogger(__name__)


def fingerprint(spec, compiled) -> dict[str, Any]:
    """What a calibration's results depend on, as short hashes.

    Parameters
    ----------
    spec : CalibrationSpec
    compiled : CompiledModel
        The compiled model the fit simulates (covers a model whose file changed while its
        factory name did not).

    Returns
    -------
    dict
        ``spec`` (hash of its fields), ``data`` (file -> hash of its bytes, for every
        series and deflator file), ``model`` (see `model_hash`), ``sdflow`` (the version).

    Examples
    --------
    >>> from sdflow.calibrate.examples import decay_spec
    >>> spec = decay_spec()
    >>> compiled = spec.model.compile(["k"])
    >>> before = fingerprint(spec, compiled)
    >>> _ = spec.series[0].file.write_text("year,x\\n1,0.5\\n")
    >>> after = fingerprint(spec, compiled)
    >>> before["spec"] == after["spec"], before["data"] == after["data"]
    (True, False)
    """
    from .. import __version__

    fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
    # the backends compute the same numbers: a fit may resume on another one
    fields.pop("backend", None)
    # a Model object or factory function prints with its memory address; the compiled
    # source stands for it instead
    if not isinstance(spec.model, str):
        fields["model"] = getattr(spec.model, "__qualname__", type(spec.model).__name__)
    # so does a custom likelihood given as a Python callable: its name and source stand
    # for it, so that a resumed fit with the same function reuses its checkpoint
    options = getattr(spec, "payoff_options", None)
    if isinstance(options, dict):
        fields["payoff_options"] = {key: _callable_identity(value) if callable(value) else value
                                    for key, value in options.items()}
    files = [s.file for s in spec.series] + [Path(s.deflator["file"]) for s in spec.series
                                             if s.deflator is not None]
    return {"spec": _hash(repr(fields).encode()),
            "data": {str(path): _hash(Path(path).read_bytes()) for path in files},
            "model": model_hash(compiled), "sdflow": __version__}


def _callable_identity(function) -> str:
    """``module.qualname`` and a hash of the source of ``function`` (of its name alone when
    the source cannot be read)."""
    name = f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"
    try:
        return f"{name}:{_hash(inspect.getsource(function).encode())}"
    except (OSError, TypeError):
        return name


def model_hash(compiled) -> str:
    """Hash of a compiled model: its generated source, the arrays that source reads from
    its module namespace (arrayed constants, lookup tables, data series are kept out of
    the text) and the time settings.

    Examples
    --------
    >>> import sdflow as sf
    >>> def model(initial):
    ...     m = sf.Model("m", start=0, stop=2, dt=1)
    ...     r = m.dim("r", ["a", "b"])
    ...     x = m.stock("x", initial=initial, dims=[r])
    ...     _ = m.flow("f", 0.1 * x, source=x, dims=[r])
    ...     return m.compile()
    >>> model([1.0, 2.0]).source == model([1.0, 3.0]).source
    True
    >>> model_hash(model([1.0, 2.0])) == model_hash(model([1.0, 3.0]))
    False
    """
    graph = compiled.graph
    digest = hashlib.sha256(compiled.source.encode())
    digest.update(repr((graph.start, graph.stop, graph.dt)).encode())
    namespace = compiled.initialize.__globals__      # the generated module's globals
    for name in sorted(namespace):
        value = namespace[name]
        if isinstance(value, (np.ndarray, list, tuple, float, int)):
            array = np.asarray(value, dtype=float)
            digest.update(f"{name}{array.shape}".encode() + array.tobytes())
    return digest.hexdigest()[:16]


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _changes(saved, current) -> list[str]:
    """What differs between two fingerprints, in words."""
    if not (isinstance(saved, dict) and isinstance(current, dict)):
        return ["the calibration changed"]
    reasons = ["the spec changed"] if saved.get("spec") != current.get("spec") else []
    old, new = saved.get("data", {}), current.get("data", {})
    reasons += [f"data file {name} changed" for name in sorted(set(old) | set(new))
                if old.get(name) != new.get(name)]
    if saved.get("model") != current.get("model"):
        reasons.append("the compiled model changed")
    if saved.get("sdflow") != current.get("sdflow"):
        reasons.append(f"sdflow {saved.get('sdflow')} became {current.get('sdflow')}")
    return reasons


class Checkpoint:
    """Stage results by key; ``path=None`` keeps them in memory only.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "checkpoint.json"
    >>> Checkpoint(path, "abc").put("starts", [1, 2])
    >>> Checkpoint(path, "abc", resume=True).get("starts")
    [1, 2]
    >>> Checkpoint(path, "abc").get("starts") is None     # a fresh run starts over
    True
    """

    def __init__(self, path: Path | None, fingerprint: str | dict, resume: bool = False):
        self.path = Path(path) if path is not None else None
        self.fingerprint = fingerprint
        self.data: dict[str, Any] = {}
        #: Runs and batches simulated by earlier (interrupted) processes, and a callable
        #: giving this process's (runs, batches) so far; both are saved with every stage.
        self.earlier = (0, 0)
        self.counter = None
        if resume and self.path is not None and self.path.exists():
            try:
                saved = json.loads(self.path.read_text())
            except json.JSONDecodeError as exc:
                raise SpecError(f"--resume: checkpoint {self.path} is unreadable ({exc}); "
                                "delete it to start over") from None
            if saved.get("fingerprint") == fingerprint:
                self.data = saved.get("stages", {})
                self.earlier = tuple(saved.get("counts", (0, 0)))
            else:
                reasons = "; ".join(_changes(saved.get("fingerprint"), fingerprint))
                log.warning(f"--resume: not reusing the checkpoint {self.path} ({reasons} "
                            "since it was written); starting over")

    def counts(self) -> tuple[int, int]:
        """Runs and batches simulated so far, this process and the interrupted ones."""
        now = self.counter() if self.counter is not None else (0, 0)
        return self.earlier[0] + now[0], self.earlier[1] + now[1]

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def put(self, key: str, value) -> None:
        self.data[key] = value
        if self.path is not None:
            text = json.dumps({"fingerprint": self.fingerprint, "stages": self.data,
                               "counts": self.counts()})
            atomic_write(self.path, lambda tmp: Path(tmp).write_text(text))
