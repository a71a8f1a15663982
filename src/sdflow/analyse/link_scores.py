"""Link scores of Loops That Matter over a run (or a whole ensemble at once).

Definitions (Schoenberg, Davidsen & Eberlein 2020, System Dynamics Review 36(2); Eberlein
& Schoenberg 2020, "Finding the loops that matter"), over each step from ``t - dt`` to
``t``:

- ``x -> z`` where ``z = f(x, y, ...)`` is an auxiliary or a flow:
  ``|Δz_x / Δz| * sign(Δz_x / Δx)``, with ``Δz_x = f(x_t, y_{t-dt}, ...) - z_{t-dt}`` the
  change of ``z`` that ``x`` alone causes. 0 when ``z`` or ``x`` does not change.
- flow ``i`` into stock ``s``: ``+|Δi / Δ(net flow of s)|``; an outflow ``o`` scores
  ``-|Δo / Δ(net flow of s)|``. 0 when the net flow does not change.
- ``x -> h`` for a hidden stock ``h`` (a smooth, delay or trend): the rate of ``h`` takes
  the place of a flow, so the score is the auxiliary rule applied to the rate (the rate is
  the hidden stock's only "flow", whose own flow-to-stock score is 1).
- ``x -> d`` for a DELAY FIXED ``d``: its output is its only input, ``delay time`` ago,
  so the whole change of the output comes from that input: 1 while the output changes,
  else 0.

Every score of the first saved time is 0: there is no earlier step to compare with. The
partial values ``f(x_t, y_{t-dt}, ...)`` of one link are computed for every step of every
run in one call of the compiled equation (`sdflow.analyse.partial`).
"""

from __future__ import annotations

import numpy as np

from ..ir.graph import ModelGraph
from ..ir.order import references
from .causal_graph import Link
from .partial import EquationFunctions


class RunValues:
    """Every node's value at every step of a run, shaped ``(time, run, *dims)``.

    Made by `baseline` from a model; ``constants`` holds per-run constants ``(run, *dims)``.
    """

    def __init__(self, graph: ModelGraph, times: np.ndarray, values: dict[str, np.ndarray],
                 constants: dict[str, np.ndarray], n: int, keep_run: bool):
        self.graph, self.times, self.values = graph, times, values
        self.constants, self.n, self.keep_run = constants, n, keep_run

    @property
    def steps(self) -> int:
        return len(self.times)


def baseline(model, params=None, n=None, **run_options) -> RunValues:
    """Simulate ``model`` saving every dynamic node (hidden ones too) at every step."""
    graph = model.graph()
    keys = [k for k, nd in graph.nodes.items() if nd.kind != "const"]
    dt = run_options.get("dt") or graph.dt
    run_options = {k: v for k, v in run_options.items() if k not in ("saveper", "variables")}
    results = model.simulate(params=params, n=n, saveper=dt,
                             variables=[graph.nodes[k].name for k in keys], **run_options)
    data = results.dataset
    keep_run = "run" in data.dims
    n_runs = data.sizes.get("run", 1)
    values = {}
    for key in keys:
        array = np.asarray(data[graph.nodes[key].name].values, float)
        values[key] = array if keep_run else array[:, None]
    constants = {}
    for key, node in graph.nodes.items():
        if node.kind == "const" and node.name in data:
            array = np.asarray(data[node.name].values, float)
            constants[key] = array if keep_run else array[None]
    return RunValues(graph, np.asarray(data["time"].values, float), values, constants,
                     n_runs, keep_run)


def to_dims(array: np.ndarray, dims: tuple, target: tuple, lead: int = 2) -> np.ndarray:
    """``array`` (``lead`` batch axes, then ``dims``) laid out along ``target`` dims.

    Dimensions of ``array`` missing from ``target`` are summed out (the caller decides
    whether that makes sense); dimensions of ``target`` it lacks get length 1.
    """
    extra = [lead + i for i, d in enumerate(dims) if d not in target]
    if extra:
        array = array.sum(axis=tuple(extra))
        dims = tuple(d for d in dims if d in target)
    order = list(range(lead)) + [lead + dims.index(d) for d in target if d in dims]
    array = array.transpose(order)
    shape = array.shape[:lead] + tuple(len(d) if d in dims else 1 for d in target)
    return array.reshape(shape)


class LinkScorer:
    """Scores links over one `RunValues`; ``score(link)`` is ``(time, run, *target dims)``."""

    def __init__(self, run: RunValues):
        self.run = run
        self.graph = run.graph
        self.functions = EquationFunctions(self.graph, tuple(run.constants),
                                           dt=float(run.times[1] - run.times[0])
                                           if run.steps > 1 else None)
        self._rates: dict[str, np.ndarray] = {}
        self._element_partials: dict[tuple, np.ndarray] = {}
        self._scores: dict = {}

    # -- batches of (step, run) rows --------------------------------------------------
    def _rows(self, array: np.ndarray) -> np.ndarray:
        return array.reshape((-1,) + array.shape[2:])

    def _inputs(self, expr, changed: str | None) -> dict[str, np.ndarray]:
        """Inputs of ``expr`` at the previous step, except ``changed`` at the current one."""
        run = self.run
        inputs = {}
        for key in references(expr):
            if key in run.constants:
                block = run.constants[key]
                inputs[key] = self._rows(np.broadcast_to(
                    block, (run.steps - 1,) + block.shape))
            elif key in run.values:
                series = run.values[key]
                inputs[key] = self._rows(series[1:] if key == changed else series[:-1])
        return inputs

    def _previous_times(self) -> np.ndarray:
        return np.repeat(self.run.times[:-1], self.run.n)

    def _target_series(self, key: str) -> tuple[np.ndarray, object, str]:
        """The values whose change the link explains: the node, or a hidden stock's rate."""
        node = self.graph.nodes[key]
        if node.kind != "stock":
            return self.run.values[key], node.equation, "equation"
        if key not in self._rates:
            run = self.run
            f = self.functions.function(key, "rate")
            inputs = {}
            for ref in references(node.rate):
                block = run.constants.get(ref)
                if block is not None:
                    inputs[ref] = self._rows(np.broadcast_to(block, (run.steps,) + block.shape))
                elif ref in run.values:
                    inputs[ref] = self._rows(run.values[ref])
            rate = f(inputs, np.repeat(run.times, run.n))
            self._rates[key] = np.broadcast_to(
                rate, (run.steps * run.n,) + node.shape).reshape(
                (run.steps, run.n) + node.shape)
        return self._rates[key], node.rate, "rate"

    # -- scores -------------------------------------------------------------------------
    def score(self, link: Link) -> np.ndarray:
        """``(time, run, *target dims)`` score of a link between variables (kept)."""
        if link not in self._scores:
            self._scores[link] = (self._flow_to_stock(link) if link.role in (
                "inflow", "outflow") else self._partial_change(link))
        return self._scores[link]

    def _partial_change(self, link: Link) -> np.ndarray:
        run, graph = self.run, self.graph
        target = graph.nodes[link.target]
        if target.kind == "pipeline":
            return self._pipeline(self.run.values[link.target])
        z, expr, part = self._target_series(link.target)
        f = self.functions.function(link.target, part)
        partial = f(self._inputs(expr, link.source), self._previous_times())
        shape = (run.steps - 1, run.n) + target.shape
        partial = np.broadcast_to(partial, (shape[0] * shape[1],) + target.shape).reshape(shape)
        x = run.values[link.source]
        dx = to_dims(np.diff(x, axis=0), graph.nodes[link.source].dims, target.dims)
        dz = np.diff(z, axis=0)
        dz_x = partial - z[:-1]
        scores = np.zeros((run.steps,) + dz.shape[1:])
        with np.errstate(divide="ignore", invalid="ignore"):
            # |Δz_x / Δz| sign(Δz_x / Δx), written without dividing by Δx
            np.multiply(np.abs(dz_x / dz), np.sign(dz_x * dx), out=scores[1:])
        scores[1:][(dz == 0) | (dx == 0)] = 0.0
        return scores

    def element_score(self, element_link) -> np.ndarray:
        """``(time, run)`` score of a link between one source and one target element.

        The partial change moves only that element of the source (Loops That Matter at
        the level of elements: ``capital[Anhui]`` alone, not all of ``capital``).
        """
        if element_link not in self._scores:
            self._scores[element_link] = self._element_score(element_link)
        return self._scores[element_link]

    def _element_score(self, element_link) -> np.ndarray:
        link = element_link.link
        (_, s), (_, t) = element_link.source, element_link.target
        graph, run = self.graph, self.run
        source, target = graph.nodes[link.source], graph.nodes[link.target]
        flat = (run.steps, run.n)
        if link.role in ("inflow", "outflow"):
            scores = self._flow_to_stock(link).reshape(flat + (target.size,))[..., t]
            return scores  # stock element t takes flow element s: its own change
        z = self._target_series(link.target)[0].reshape(flat + (target.size,))[..., t]
        if target.kind == "pipeline":
            return self._pipeline(z)
        partial = self._element_partial(link, s)[..., t]
        x = run.values[link.source].reshape(flat + (source.size,))[..., s]
        dx, dz, dz_x = np.diff(x, axis=0), np.diff(z, axis=0), partial - z[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where((dz == 0) | (dx == 0), 0.0,
                              np.abs(dz_x / dz) * np.sign(dz_x * dx))
        return self._with_first_step(scores)

    def _element_partial(self, link: Link, element: int) -> np.ndarray:
        """The target, ``(step, run, target size)``, recomputed from the previous step
        with only ``element`` of the source at the current step."""
        key = (link, element)
        if key not in self._element_partials:
            run, graph = self.run, self.graph
            source, target = graph.nodes[link.source], graph.nodes[link.target]
            _, expr, part = self._target_series(link.target)
            inputs = self._inputs(expr, None)
            series = run.values[link.source].reshape((run.steps, run.n, source.size))
            mixed = series[:-1].copy()
            mixed[..., element] = series[1:, :, element]
            inputs[link.source] = self._rows(mixed.reshape((run.steps - 1, run.n)
                                                           + source.shape))
            f = self.functions.function(link.target, part)
            partial = f(inputs, self._previous_times())
            rows = (run.steps - 1) * run.n
            self._element_partials[key] = np.broadcast_to(
                partial, (rows,) + target.shape).reshape((run.steps - 1, run.n, target.size))
        return self._element_partials[key]

    def _flow_to_stock(self, link: Link) -> np.ndarray:
        graph = self.graph
        stock = graph.nodes[link.target]

        def change(flow: str) -> np.ndarray:
            return to_dims(np.diff(self.run.values[flow], axis=0), graph.nodes[flow].dims,
                           stock.dims)

        net = sum(change(f) for f in stock.inflows) - sum(change(f) for f in stock.outflows)
        sign = 1.0 if link.role == "inflow" else -1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.where(net == 0, 0.0, sign * np.abs(change(link.source) / net))
        return self._with_first_step(scores)

    def _pipeline(self, output: np.ndarray) -> np.ndarray:
        return self._with_first_step((np.diff(output, axis=0) != 0).astype(float))

    def _with_first_step(self, scores: np.ndarray) -> np.ndarray:
        first = np.zeros((1,) + scores.shape[1:])
        return np.concatenate([first, scores], axis=0)
