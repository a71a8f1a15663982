"""Sampling uncertain parameters: declared distributions and posterior draws, laid out by
Latin hypercube, Sobol or plain random designs.

Runs are made in chunks. Chunk ``i`` of an ensemble draws from a generator seeded with
``(seed, i)`` only (Sobol: points ``i * size ...`` of one scrambled sequence), so a chunk
gives the same numbers in any process, in any order, on any machine.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.stats import qmc

from ..dsl.distributions import Distribution
from ..dsl.model import name_key
from ..errors import SpecError
from ..ir.graph import ModelGraph

DESIGNS = ("lhs", "sobol", "random")
_EDGE = 1e-12  # keep unit draws off 0 and 1, where many quantile functions are infinite


@dataclass(frozen=True)
class Uncertain:
    """An uncertain constant and its distribution.

    An arrayed constant gets an independent draw per element, or with ``shared=True`` one
    draw (one quantile) for all elements.

    Examples
    --------
    >>> import sdflow as sf
    >>> Uncertain("imitation", sf.uniform(0.3, 0.5)).distribution.ppf(0.5)
    array(0.4)
    """

    name: str
    distribution: Distribution
    shared: bool = False
    label: str = ""

    def describe(self) -> str:
        """``name ~ distribution(parameters)`` for reports."""
        if self.label:
            return f"{self.name} ~ {self.label}"
        frozen = getattr(self.distribution, "frozen", None)
        values = {**dict(enumerate(getattr(frozen, "args", ()))),
                  **getattr(frozen, "kwds", {})}
        text = ", ".join(f"{k}={np.round(np.asarray(v, float), 6).tolist()}"
                         for k, v in values.items())
        return f"{self.name} ~ {getattr(self.distribution, 'name', '?')}({text})"

    def __post_init__(self):
        if not hasattr(self.distribution, "ppf"):
            raise SpecError(f"uncertain '{self.name}': {self.distribution!r} has no quantile "
                            "function (.ppf); use sf.uniform, sf.normal, sf.lognormal, ...")


@dataclass(frozen=True)
class PosteriorDraws:
    """Joint draws of several constants (e.g. from a calibration's posterior sample).

    ``values[name]`` is an array ``(draws, *dims)``; a run takes one whole draw (all constants
    together), so correlations between parameters are kept. Pass it as
    ``Ensemble(..., posterior=draws)``; one column of the sampling design picks each
    run's draw (with Latin hypercube sampling and as many runs as draws, each draw once).

    Examples
    --------
    >>> from sdflow.forecasting import Ensemble, Scenario, run_ensemble
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model()
    >>> draws = PosteriorDraws({"rate": [0.02, 0.03, 0.025]})
    >>> draws.count
    3
    >>> ds = run_ensemble(Ensemble(m, [Scenario("baseline")], posterior=draws, n=3))
    >>> sorted(ds["x"].sel(time=2030).round(4).values.ravel().tolist())   # 1.02**10 ...
    [1.219, 1.2801, 1.3439]
    """

    values: dict

    def __post_init__(self):
        lengths = {len(np.asarray(v)) for v in self.values.values()}
        if len(lengths) != 1 or 0 in lengths:
            raise SpecError(f"posterior draws: every parameter needs the same positive number "
                            f"of draws, got {sorted(lengths)}")

    @property
    def count(self) -> int:
        return len(next(iter(self.values.values())))


def describe_uncertain(item: Uncertain) -> str:
    """``item`` as exact text, for the fingerprints of resumable runs.

    Examples
    --------
    >>> import sdflow as sf
    >>> describe_uncertain(Uncertain("rate", sf.uniform(0.25, 0.5)))
    "rate~uniform() [('loc', 0.25), ('scale', 0.25)] shared=False"
    """
    dist = item.distribution
    frozen = getattr(dist, "frozen", None)
    detail = (f"{getattr(frozen, 'args', ())} {sorted(getattr(frozen, 'kwds', {}).items())}"
              if frozen is not None else repr(dist))
    return f"{item.name}~{getattr(dist, 'name', type(dist).__name__)}{detail} shared={item.shared}"


def describe_params(params: dict | None) -> str:
    """Fixed constant values as exact text, for the fingerprints of resumable runs.

    Examples
    --------
    >>> describe_params({"b": 2, "a": [0.5, 1.0]})
    "[('a', [0.5, 1.0]), ('b', 2)]"
    """
    return str(sorted((k, np.asarray(v).tolist()) for k, v in (params or {}).items()))


def posterior_digest(posterior: PosteriorDraws | None) -> str | None:
    """A short SHA-256 digest of posterior draws (None without them).

    Examples
    --------
    >>> posterior_digest(None) is None, len(posterior_digest(PosteriorDraws({"a": [1.0]})))
    (True, 16)
    """
    if posterior is None:
        return None
    sha = hashlib.sha256()
    for name in sorted(posterior.values):
        sha.update(name.encode())
        sha.update(np.ascontiguousarray(posterior.values[name], dtype=float).tobytes())
    return sha.hexdigest()[:16]


def unit_design(method: str, dimensions: int, size: int, seed: int, chunk: int,
                chunk_size: int) -> np.ndarray:
    """Points in the open unit cube, shaped (size, dimensions), for chunk ``chunk``.

    Examples
    --------
    >>> u = unit_design("lhs", 2, 4, seed=1, chunk=0, chunk_size=4)
    >>> sorted((u[:, 0] * 4).astype(int).tolist())  # one point per stratum
    [0, 1, 2, 3]
    """
    if method not in DESIGNS:
        raise SpecError(f"sampling method '{method}' is unknown; choose one of {list(DESIGNS)}")
    if dimensions == 0:
        return np.empty((size, 0))
    if method == "sobol":
        engine = qmc.Sobol(dimensions, scramble=True, seed=np.random.default_rng(seed))
        if chunk:  # scipy refuses to skip zero points
            engine.fast_forward(chunk * chunk_size)
        with warnings.catch_warnings():  # chunks need not be powers of two
            warnings.simplefilter("ignore", UserWarning)
            points = engine.random(size)
    else:
        rng = np.random.default_rng([int(seed), int(chunk)])
        if method == "lhs":
            points = qmc.LatinHypercube(dimensions, seed=rng).random(size)
        else:
            points = rng.random((size, dimensions))
    return np.clip(points, _EDGE, 1 - _EDGE)


class ParameterSampler:
    """Turns unit-cube points into per-run parameter arrays for one model.

    Each uncertain constant takes one column of the design (``shared``/scalar) or one per
    element; posterior draws take one more column that picks the draw.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> k = m.const("k", 1.0)
    >>> x = m.stock("x", initial=k)
    >>> sampler = ParameterSampler(m.graph(), [Uncertain("k", sf.uniform(0, 2))])
    >>> sampler.columns
    ['k']
    >>> sampler.values(np.array([[0.25], [0.75]]))["k"].tolist()
    [0.5, 1.5]
    """

    def __init__(self, graph: ModelGraph, uncertain: Sequence[Uncertain] = (),
                 posterior: PosteriorDraws | None = None):
        constants = {k: n for k, n in graph.nodes.items() if n.kind == "const" and not n.hidden}
        self.graph = graph
        self.entries: list[tuple[str, Uncertain, int]] = []
        self.columns: list[str] = []
        seen = set()
        for item in uncertain:
            key = self._key(item.name, constants, "uncertain parameter")
            if key in seen:
                raise SpecError(f"uncertain parameter '{item.name}' is declared twice")
            seen.add(key)
            node = constants[key]
            width = 1 if item.shared or not node.shape else node.size
            self.entries.append((key, item, width))
            if width == 1:
                self.columns.append(node.name)
            else:
                self.columns += [f"{node.name}[{','.join(e)}]" for e in _elements(node)]
        self.posterior = None
        if posterior is not None:
            draws = {}
            for name, values in posterior.values.items():
                key = self._key(name, constants, "posterior draws name")
                if key in seen:
                    raise SpecError(f"'{name}' has both a distribution and posterior draws; "
                                    "keep one")
                values = np.asarray(values, dtype=float)
                shape = (posterior.count,) + constants[key].shape
                if values.shape != shape:
                    raise SpecError(f"posterior draws of '{name}' have shape {values.shape}; "
                                    f"expected {shape}")
                draws[key] = values
            self.posterior = draws
            self.columns.append("posterior draw")
            self.count = posterior.count

    @staticmethod
    def _key(name: str, constants: dict, what: str) -> str:
        key = name_key(name)
        if key not in constants:
            raise SpecError(f"{what} '{name}' is not a constant of the model; constants are "
                            f"{sorted(n.name for n in constants.values())}")
        return key

    @property
    def dimensions(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        """Names of the constants this sampler sets."""
        names = [self.graph.nodes[k].name for k, _, _ in self.entries]
        return names + [self.graph.nodes[k].name for k in (self.posterior or {})]

    def values(self, unit: np.ndarray) -> dict[str, np.ndarray]:
        """Constant name -> array ``(runs, *dims)`` for unit-cube points (runs, dimensions)."""
        unit = np.asarray(unit, dtype=float)
        out, col = {}, 0
        for key, item, width in self.entries:
            node = self.graph.nodes[key]
            block = unit[:, col:col + width]
            col += width
            if width > 1:  # element-wise distribution parameters broadcast by element
                block = block.reshape((len(unit),) + node.shape)
            values = item.distribution.ppf(block)
            out[node.name] = np.broadcast_to(
                values.reshape((len(unit),) + ((1,) * len(node.shape) if width == 1
                                               else node.shape)),
                (len(unit),) + node.shape).copy()
        if self.posterior is not None:
            index = self.draw_index(unit)
            for key, draws in self.posterior.items():
                out[self.graph.nodes[key].name] = draws[index]
        return out

    def draw_index(self, unit: np.ndarray) -> np.ndarray:
        """The posterior draw each unit-cube point picks (its last column)."""
        return np.minimum((np.asarray(unit)[:, -1] * self.count).astype(int), self.count - 1)

    def chunk(self, method: str, seed: int, chunk: int, chunk_size: int, size: int
              ) -> dict[str, np.ndarray]:
        """Parameter arrays of chunk ``chunk`` (``size`` runs) of a seeded ensemble."""
        return self.values(unit_design(method, self.dimensions, size, seed, chunk, chunk_size))


def _elements(node) -> list[tuple[str, ...]]:
    grids = np.meshgrid(*[np.arange(len(d)) for d in node.dims], indexing="ij")
    flat = [g.ravel() for g in grids]
    return [tuple(d.elements[i[j]] for j, d in enumerate(node.dims))
            for i in zip(*flat)]
