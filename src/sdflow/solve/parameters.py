"""Per-run parameter values from what users pass to ``simulate(params=...)``."""

from __future__ import annotations

import zlib
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ParameterError, SeedError
from ..ir.graph import ModelGraph
from ..names import name_key


@runtime_checkable
class Sampleable(Protocol):
    """What `simulate` samples per run: ``sf.uniform(...)``, ``sf.normal(...)``... (the
    DSL's `sdflow.dsl.distributions.Distribution`), read by its two methods so that the
    solver does not import the modelling language."""

    def sample(self, rng: np.random.Generator, size) -> np.ndarray: ...

    def ppf(self, q) -> np.ndarray: ...


def _sampleable(value) -> bool:
    """Whether ``value`` is a `Sampleable`; arrays, numbers and lists never are, and are
    told apart first (a Protocol's ``isinstance`` looks up its methods, which an optimiser
    or sampler would pay for every parameter of every batch)."""
    if isinstance(value, (np.ndarray, float, int, list, tuple)):
        return False
    return isinstance(value, Sampleable)


def parameter_stream(seed: int | None, key: str) -> np.random.Generator:
    """A random stream per (seed, parameter): adding a parameter leaves the others' draws
    unchanged, which keeps scenario comparisons paired.

    Examples
    --------
    >>> same = parameter_stream(0, "c").random() == parameter_stream(0, "c").random()
    >>> other = parameter_stream(0, "c").random() == parameter_stream(0, "k").random()
    >>> same, other
    (True, False)
    """
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([check_seed(seed), zlib.crc32(key.encode())])


def check_seed(seed) -> int | None:
    """``seed`` as an int, or `SeedError` unless it is None or a whole number >= 0 (what
    numpy's generators accept).

    Examples
    --------
    >>> check_seed(7), check_seed(None)
    (7, None)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    sdflow.errors.SeedError: seed=-1 must be a whole number >= 0 (or None for fresh \
randomness), e.g. seed=1
    """
    if seed is None:
        return None
    if not _whole(seed) or seed < 0:
        raise SeedError(f"seed={seed!r} must be a whole number >= 0 (or None for fresh "
                        f"randomness), e.g. seed={abs(int(seed)) if _whole(seed) else 1}",
                        ("seed",))
    return int(seed)


def _whole(value) -> bool:
    """An int, or a float without fraction (``1.0``); not a bool, string or array."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        return False
    return float(value).is_integer()


def resolve_parameters(graph: ModelGraph, params: dict[str, Any] | None, n: int | None,
                       seed: int | None) -> tuple[dict[str, np.ndarray], int, bool]:
    """Per-run arrays (n, *dims) for each named constant, the run count, and whether values
    differ between runs.

    A value shaped like the constant applies to every run; one shaped (n, *dims) gives each
    run its own; a `Distribution` is sampled independently per run and per element.

    Parameters
    ----------
    graph : ModelGraph
    params : dict, optional
        Constant name -> value, per-run values or `Distribution`.
    n : int, optional
        Number of runs (needed for distributions; otherwise taken from per-run values).
    seed : int, optional
        Seed of the per-parameter streams (`parameter_stream`).

    Returns
    -------
    values : dict of str to ndarray
        Graph key -> array shaped (runs, *dims) (one row when every run is the same).
    n : int
        Number of runs.
    varies : bool
        Whether values differ between runs.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> k = m.const("k", [1.0, 2.0], dims=[r])
    >>> y = m.aux("y", k * m.const("c", 0.5), dims=[r])
    >>> values, n, varies = resolve_parameters(m.graph(), {"k": [[1, 2], [3, 4], [5, 6]]},
    ...                                        None, None)
    >>> values["k"].shape, n, varies
    ((3, 2), 3, True)
    >>> values, n, varies = resolve_parameters(m.graph(), {"c": sf.uniform(0, 1)}, 4, 0)
    >>> values["c"].shape, n, varies
    ((4,), 4, True)
    """
    seed = check_seed(seed)
    params = dict(params or {})
    shapes, keys = {}, {}
    for name in params:
        key = name_key(name)
        node = graph.nodes.get(key)
        if node is None or node.kind != "const" or node.hidden:
            consts = sorted(n.name for n in graph.nodes.values() if n.kind == "const")
            what = "not a variable" if node is None else f"a {node.kind}, not a constant"
            raise ParameterError(
                f"params: '{name}' is {what} of model '{graph.name}'; only constants can be "
                f"set. Constants are: {consts}", (name,))
        keys[name], shapes[name] = key, node.shape
    # the run count: given, or implied by per-run arrays
    implied = set()
    for name, value in params.items():
        if not _sampleable(value):
            shape = np.shape(value)
            if shape != shapes[name] and len(shape) == len(shapes[name]) + 1:
                implied.add(shape[0])
    if n is None:
        if len(implied) > 1:
            raise ParameterError(f"params imply different numbers of runs {sorted(implied)}; "
                                 "give arrays of one length or pass n=")
        n = implied.pop() if implied else 1
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r} must be a positive number of runs")
    values, varies = {}, False
    for name, value in params.items():
        key, shape = keys[name], shapes[name]
        if _sampleable(value):
            values[key] = value.sample(parameter_stream(seed, key), (n,) + shape)
            varies = varies or n > 1
            continue
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"params: '{name}' = {value!r} is not numeric", (name,)) from None
        if array.shape == shape or array.ndim == 0:
            values[key] = np.broadcast_to(array, (n,) + shape)
        elif array.shape == (n,) + shape:
            values[key] = array
            varies = varies or n > 1
        else:
            raise ParameterError(
                f"params: '{name}' has shape {array.shape}; expected {shape or 'a number'} "
                f"(same for every run) or {(n,) + shape} (one per run)", (name,))
        if not np.all(np.isfinite(values[key])):
            raise ParameterError(f"params: '{name}' has NaN or infinite values", (name,))
    return values, int(n), varies
