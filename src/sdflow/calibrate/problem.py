"""`CalibrationProblem`: candidate parameter sets in, simulated observations out, as a batch.

The one place where calibration touches the engine: a matrix ``theta`` of shape
``(n, k)`` (n candidates, k estimated numbers) becomes one call of ``model.simulate`` with
``n`` runs, and the saved trajectories are reduced to exactly what each observed series
measures: a level at a time, or a flow summed or averaged over a period, exactly, as the
change of a hidden accumulating stock (see `sdflow.calibrate.accumulators`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dsl.model import Model
from ..names import name_key
from ..errors import DataError, SpecError
from .accumulators import AccumulatingModel, accumulator_key
from .data import ObservedSeries
from .spec import ParameterSpec, SeriesSpec


@dataclass(frozen=True)
class _Target:
    """Where one observed series sits in the simulated output."""

    key: str                # model variable key (the accumulator's for sums and means)
    columns: np.ndarray     # flat element index of each observed column
    steps: np.ndarray       # (times, 1) saved step of a level; (times, 2) period ends
    factor: float           # 1 for levels and sums, 1 / period for means


class CalibrationProblem:
    """Simulate candidate parameter sets and return what each series observes.

    Parameters
    ----------
    model : Model
    series : list of (SeriesSpec, ObservedSeries)
    parameters : list of ParameterSpec
    method : str
        Integration method passed to ``simulate``.
    dt : float, optional
        Time step override.
    backend : str
        The ``simulate`` backend of every batch: ``"batched"`` (numpy, default) or
        ``"numba"`` (compiled once per model; the same numbers, far less time per step
        for small batches such as an MCMC ensemble's); ``"auto"`` takes the scalar path
        for single runs of models without dimensions.

    Examples
    --------
    >>> import numpy as np, sdflow as sf
    >>> from pathlib import Path
    >>> from sdflow.calibrate.spec import SeriesSpec, ParameterSpec
    >>> from sdflow.calibrate.data import ObservedSeries
    >>> m = sf.Model("decay", start=0, stop=4, dt=0.5)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
    >>> obs = ObservedSeries("x", np.array([1.0, 2.0]), np.array([[0.9], [0.8]]))
    >>> problem = CalibrationProblem(m, [(SeriesSpec("x", Path(), "x"), obs)],
    ...                              [ParameterSpec("k", (0.0, 1.0))])
    >>> [p.shape for p in problem.predict(np.array([[0.1], [0.2], [0.3]]))]
    [(3, 2, 1)]
    """

    def __init__(self, model: Model, series: list[tuple[SeriesSpec, ObservedSeries]],
                 parameters: list[ParameterSpec], method: str = "euler",
                 dt: float | None = None, backend: str = "batched"):
        self.model = model
        self.backend = backend
        self.graph = graph = model.graph()
        self.method = method
        self.dt = dt = float(dt or graph.dt)
        self.parameters = list(parameters)
        self.series = [s for _, s in series]
        self.specs = [spec for spec, _ in series]
        self.labels = [p.label for p in parameters]
        self.lower = np.array([p.bounds[0] for p in parameters], float)
        self.upper = np.array([p.bounds[1] for p in parameters], float)
        self._slots = [self._slot(p, i) for i, p in enumerate(parameters)]
        self.defaults = {key: np.asarray(graph.nodes[key].value, float)
                         for key in {slot[0] for slot in self._slots}}
        ends = [s.times.max() + (spec.period if spec.measure != "level" else 0.0)
                for spec, s in series if len(s.times)]
        steps_needed = int(np.ceil((max(ends, default=graph.stop) - graph.start) / dt - 1e-9))
        self.stop = graph.start + max(steps_needed, 1) * dt
        self.targets = [self._target(spec, s) for spec, s in series]
        flows = sorted({name_key(spec.variable) for spec, _ in series
                        if spec.measure != "level"})
        if flows:
            self.model = AccumulatingModel(model, flows)
            self.graph = self.model.graph()
        self.variables = sorted({t.key for t in self.targets})
        self.evaluations = 0
        self.batches = 0

    # -- set-up ---------------------------------------------------------------------------
    def _slot(self, p: ParameterSpec, i: int):
        key = name_key(p.name)
        node = self.graph.nodes.get(key)
        if node is None or node.kind != "const" or node.hidden:
            consts = sorted(n.name for n in self.graph.nodes.values()
                            if n.kind == "const" and not n.hidden)
            raise SpecError(f"parameters[{i}].name: '{p.name}' is not a constant of model "
                            f"'{self.graph.name}'; constants are {consts}")
        if p.element is None:
            return key, None
        if len(node.dims) != 1:
            raise SpecError(f"parameters[{i}].element: '{p.name}' has dimensions "
                            f"{[d.name for d in node.dims]}; an element can be chosen only "
                            "for a constant with one dimension")
        elements = node.dims[0].elements
        if p.element not in elements:
            raise SpecError(f"parameters[{i}].element: '{p.element}' is not an element of "
                            f"'{node.dims[0].name}' ({list(elements)})")
        return key, elements.index(p.element)

    def _target(self, spec: SeriesSpec, s: ObservedSeries) -> _Target:
        node = self.graph.nodes.get(name_key(spec.variable))
        if node is None or node.kind == "const":
            raise SpecError(f"series '{spec.name}': variable '{spec.variable}' is not a "
                            f"time-varying variable of model '{self.graph.name}'")
        if spec.measure != "level" and node.kind not in ("flow", "aux"):
            raise SpecError(f"series '{spec.name}': measure '{spec.measure}' integrates a "
                            f"flow, but '{spec.variable}' is a {node.kind}; use 'level'")
        if len(node.dims) > 1:
            raise SpecError(f"series '{spec.name}': '{spec.variable}' has several dimensions; "
                            "observe a one-dimensional variable (add an aux selecting it)")
        if node.dims:
            elements = node.dims[0].elements
            for element in s.elements or ("",):
                if element not in elements:
                    raise DataError(f"series '{spec.name}' in {s.source}: '{element}' is not "
                                    f"an element of dimension '{node.dims[0].name}' "
                                    f"({list(elements)}); map it with `keys`")
            columns = np.array([elements.index(e) for e in s.elements], int)
        else:
            if s.values.shape[1] != 1:
                raise DataError(f"series '{spec.name}' in {s.source}: {s.values.shape[1]} "
                                f"columns for '{spec.variable}', which has no dimensions")
            columns = np.zeros(1, int)
        start, dt = self.graph.start, self.dt
        first = np.round((s.times - start) / dt).astype(int)
        if (s.times < start - 1e-9).any() or not np.allclose(start + first * dt, s.times):
            raise DataError(f"series '{spec.name}': observation times ({s.times.min():g} to "
                            f"{s.times.max():g}) must fall on time steps of the model (start "
                            f"{start:g}, dt {dt:g}); limit them with period.fit")
        if spec.measure == "level":
            return _Target(name_key(spec.variable), columns, first[:, None], 1.0)
        per = int(round(spec.period / dt))
        if abs(per * dt - spec.period) > 1e-9 * spec.period:
            raise DataError(f"series '{spec.name}': period {spec.period:g} is not a whole "
                            f"number of time steps (dt {dt:g}); choose dt dividing it")
        # [t, t + period): the accumulator's change from step `first` to `first + per`
        steps = np.stack([first, first + per], axis=1)
        factor = 1.0 if spec.measure == "sum" else 1.0 / spec.period
        return _Target(accumulator_key(name_key(spec.variable)), columns, steps, factor)

    def compiled(self):
        """The `CompiledModel` that `predict` runs (compiled once, cached on the model)."""
        return self.model.compile(list(self.defaults), scalar=False,
                                  outputs=tuple(self.variables))

    # -- evaluation -------------------------------------------------------------------------
    def params(self, theta: np.ndarray) -> dict[str, np.ndarray]:
        """``simulate(params=...)`` for candidate rows of ``theta`` (shape (n, k))."""
        theta = np.atleast_2d(np.asarray(theta, float))
        n = theta.shape[0]
        values = {key: np.array(np.broadcast_to(v, (n,) + v.shape)) for key, v in
                  self.defaults.items()}
        for j, (key, index) in enumerate(self._slots):
            if index is None:
                values[key][...] = theta[:, j].reshape((n,) + (1,) * self.defaults[key].ndim)
            else:
                values[key][:, index] = theta[:, j]
        return {self.graph.nodes[k].name: v for k, v in values.items()}

    def predict(self, theta: np.ndarray) -> list[np.ndarray]:
        """Simulated observations, one array ``(n, times, columns)`` per series (NaN for
        runs that failed)."""
        theta = np.atleast_2d(np.asarray(theta, float))
        n = theta.shape[0]
        runs = self.model.simulate(params=self.params(theta), n=n, method=self.method,
                                   dt=self.dt, stop=self.stop, saveper=self.dt,
                                   variables=[self.graph.nodes[k].name for k in self.variables],
                                   on_error="mark", backend=self.backend, output="arrays")
        self.evaluations += n
        self.batches += 1
        failed = runs.failed
        out = []
        for target in self.targets:
            data = runs.values[self.graph.nodes[target.key].name]
            data = data.reshape(data.shape[0], n, -1)          # (steps, n, elements)
            picked = data[target.steps][..., target.columns]   # (times, 1 or 2, n, cols)
            values = picked[:, -1] - picked[:, 0] if picked.shape[1] == 2 else picked[:, 0]
            values = values * target.factor
            values = np.moveaxis(values, 1, 0)
            if failed.any():
                values[failed] = np.nan
            out.append(values)
        return out

    def initial(self) -> np.ndarray:
        """Starting point: each parameter's ``initial``, else the model's value, clipped."""
        x = []
        for p, (key, index) in zip(self.parameters, self._slots):
            value = p.initial if p.initial is not None else float(
                self.defaults[key].flat[0] if index is None else self.defaults[key][index])
            x.append(value)
        return np.clip(np.array(x, float), self.lower, self.upper)
