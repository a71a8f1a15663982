"""The optional numba backend: a whole batch of runs in one compiled function.

For models without dimensions (the domain of the scalar path) the same scalar expressions
the single-run path generates are placed in one function ``run(P, times, dts, save,
out)`` that loops over the runs (rows of the parameter matrix ``P``) and, in each, over
the steps of the time grid (the loop of `sdflow.compile.grid_loop`, for any fixed-step
method's Butcher tableau), writing every saved value into a preallocated array ``out``
shaped (outputs, saved times, runs). ``numba.njit`` compiles it. Lookups and the other
helpers are numba twins of the scalar helpers (`sdflow.compile.numba_runtime`), doing the
same arithmetic in the same order, so results match the scalar path bit for bit (up to
the last bit of the C library's ``exp``/``log``).

Compiling takes seconds on a large model, so the backend is only used when asked for
(``simulate(..., backend="numba")``) and the compiled function is cached on the model,
and its machine code on disk (`sdflow.compile.numba_cache`), so a model compiles once per
machine.
It does not diagnose: when a state or saved value is NaN or infinite ``run`` returns
False (or the saved values show it) and the caller reruns the batch on the numpy path,
which names the variable, run and time. DELAY FIXED pipelines and variables with
dimensions are refused.
"""

from __future__ import annotations

import math
import time
import types
from dataclasses import dataclass, field

import numpy as np

from ..errors import MissingBackendError, ModelError
from ..ir.graph import ModelGraph
from .cache import cached
from .compiled import CompiledModel, default_outputs
from .expressions import NUMBA_CALLS, ExpressionWriter
from .grid_loop import grid_loop_lines
from .layout import Slot
from .module import ModuleWriter
from .numba_cache import import_cached

def require_numba():
    """Import numba, or raise a `MissingBackendError` saying how to install it."""
    try:
        import numba
    except ImportError:
        raise MissingBackendError("backend='numba' needs the optional package numba: "
                                  "pip install numba (or pip install 'sdflow[numba]'), or "
                                  "use backend='auto'", "backend", "numba") from None
    return numba


_RUNTIME: dict = {}


def jitted_runtime():
    """A module of the helpers of `sdflow.compile.numba_runtime` compiled by numba (made
    once; numba compiles each helper on its first use)."""
    if "module" not in _RUNTIME:
        numba = require_numba()
        from . import numba_runtime
        module = types.ModuleType("sdflow_numba_runtime")
        for name in numba_runtime.__all__:
            # numpy's error model: 1/0 gives inf (as on the batched path), not an exception
            setattr(module, name, numba.njit(cache=False, error_model="numpy")(
                getattr(numba_runtime, name)))
        _RUNTIME["module"] = module
    return _RUNTIME["module"]


class NumbaExpressionWriter(ExpressionWriter):
    """The scalar printer with the few spellings numba does not accept replaced.

    Examples
    --------
    >>> NumbaExpressionWriter.number(float("-inf")), NumbaExpressionWriter.number(0.5)
    ('-math.inf', '0.5')
    """

    #: the registry's numba forms (`sdflow.expr.builtins`: INTEGER as a float, since
    #: ``math.trunc`` would make an int, which overflows in numba)
    scalar_calls = {**ExpressionWriter.scalar_calls, **NUMBA_CALLS}

    @staticmethod
    def number(value: float) -> str:
        value = float(value)
        if math.isnan(value):
            return "math.nan"
        if math.isinf(value):
            return "math.inf" if value > 0 else "-math.inf"
        return repr(value)


class NumbaWriter(ModuleWriter):
    """A scalar `ModuleWriter` whose tables are numpy arrays (numba cannot read lists)."""

    expression_writer = NumbaExpressionWriter

    def __init__(self, graph: ModelGraph, params: tuple[str, ...], outputs: tuple[str, ...]):
        super().__init__(graph, params, True, outputs)
        self.namespace["rt"] = jitted_runtime()

    def _lookup(self, lookup):
        xs, ys = super()._lookup(lookup)
        self.namespace[xs] = np.asarray(lookup.x, dtype=float)
        self.namespace[ys] = np.asarray(lookup.y, dtype=float)
        return xs, ys

    def _data(self, key: str) -> str:
        line = super()._data(key)
        node = self.graph.nodes[key]
        self.namespace[self.table_name("DX_", key)] = np.asarray(node.times, dtype=float)
        self.namespace[self.table_name("DY_", key)] = np.asarray(node.series, dtype=float)
        return line

    def line(self, key: str) -> str:
        return self._node_line(key)

    def rates(self) -> list[str]:
        return [self.writer.write(self.graph.nodes[k].rate).code for k in self.states]


def run_source(w: NumbaWriter, tableau) -> str:
    """Source of ``run(_P, _times, _dts, _save, _out) -> bool`` (False: a state went
    non-finite): for each run (row of ``_P``), its start, then the time loop of
    `sdflow.compile.grid_loop` for ``tableau`` over the grid."""
    graph, names, nodes = w.graph, w.names, w.graph.nodes
    needed = w._needed_for_rates()
    stocks = [names[k] for k in w.states]
    lines = ["def run(_P, _times, _dts, _save, _out):",
             '    """Every run of the batch; False as soon as a state is not finite."""',
             "    _last = _times.shape[0] - 1",
             "    for _r in range(_P.shape[0]):"]
    body = [f"{names[k]} = _P[_r, {s.offset}]" for k, s in w.params.items()]
    body += ["t = _times[0]", "t_input = t", "dt = _dts[0]"]
    for key in graph.init_order:  # as `ModuleWriter.initialize_source` on the scalar path
        node = nodes[key]
        if node.kind == "const":
            continue
        if node.kind == "stock":
            body.append(w._assign(key, node.initial))
            body.append(f"{names[key]} = float({names[key]})")  # one type all run long
        elif node.kind == "initial":
            body.append(w._assign(key, node.equation))
        elif node.init_equation is not None:  # ACTIVE INITIAL: its value at the start
            body.append(w._assign(key, node.init_equation))
        else:
            body.append(w.line(key))
    # Vensim holds STEP, PULSE and RAMP over a Runge-Kutta step (see `evaluate_source`)
    w.writer.input_time = "t_input"
    try:
        stage = [w.line(k) for k in graph.flow_order if k in needed]
        rest = [w.line(k) for k in graph.flow_order if k not in needed]
        rates = w.rates()
    finally:
        w.writer.input_time = "t"
    save = [f"_out[{j}, _row, _r] = {names[key]}" for j, key in enumerate(w.outputs)]
    body += ["_row = 0"]
    body += grid_loop_lines(tableau, stocks, stage, rest, rates, save + ["_row += 1"],
                            "return False")
    lines += ["        " + line for line in body]
    lines.append("    return True")
    return "\n".join(lines) + "\n"


@dataclass(eq=False)
class NumbaModel:
    """A model compiled by numba for one set of per-run parameters, outputs and method."""

    graph: ModelGraph
    params: tuple[str, ...]
    #: the integration method, a Butcher tableau (`sdflow.solve.solvers.ButcherTableau`)
    tableau: object
    source: str
    run: object
    param_slots: dict[str, Slot]
    outputs: tuple[str, ...]
    n_params: int
    #: seconds the first call spent in numba's compiler, or loading the compiled code
    #: from the disk cache (None before the first call)
    jit_seconds: float | None = field(default=None)
    #: whether the first call loaded compiled code from the disk cache
    #: (`sdflow.compile.numba_cache`) instead of compiling
    from_cache: bool | None = field(default=None)

    parameter_matrix = CompiledModel.parameter_matrix

    def __call__(self, P, grid):
        """The saved values (outputs, saved times, runs), or None if one is not finite.

        ``grid`` holds the ``times``, step sizes ``dts`` and ``save`` flags of every step
        (`sdflow.solve.grid.TimeGrid`)."""
        out = np.empty((len(self.outputs), int(grid.save.sum()), P.shape[0]))
        begin = time.perf_counter()
        try:
            ok = self.run(P, np.asarray(grid.times, float), np.asarray(grid.dts, float),
                          np.asarray(grid.save, bool), out)
        except Exception as exc:
            if type(exc).__module__.startswith("numba"):  # typing or lowering failed
                detail = " ".join(line.strip() for line in str(exc).splitlines()[1:4]
                                  if line.strip())
                raise ModelError(f"backend='numba' could not compile model "
                                 f"'{self.graph.name}' ({type(exc).__name__}: {detail}); "
                                 "use backend='auto'") from exc
            raise
        if self.jit_seconds is None:
            self.jit_seconds = time.perf_counter() - begin
            stats = getattr(self.run, "stats", None)
            self.from_cache = bool(stats and sum(stats.cache_hits.values()))
        if not ok or not (np.isfinite(out.sum()) or np.isfinite(out).all()):
            return None
        return out


def compile_numba(graph: ModelGraph, tableau, params=(), outputs=None) -> NumbaModel:
    """Generate and wrap the numba function for the method ``tableau`` (a
    `sdflow.solve.solvers.ButcherTableau`); it compiles on its first call.

    Examples
    --------
    >>> import sdflow as sf
    >>> from sdflow.solve.solvers import RK4
    >>> m = sf.Model("decay", start=0, stop=1, dt=0.5)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", x * 0.1, source=x)
    >>> print(compile_numba(m.graph(), RK4.tableau).source.splitlines()[0])  # doctest: +SKIP
    def run(_P, _times, _dts, _save, _out):

    (skipped as a doctest: numba is optional; the tests cover it when it is installed)
    """
    numba = require_numba()
    arrayed = sorted(n.name for n in graph.nodes.values() if n.dims and not n.hidden)
    if any(n.dims for n in graph.nodes.values()):
        raise ModelError(f"backend='numba' runs models without dimensions, but {arrayed[:5]} "
                         "vary over dimensions; use backend='auto'", tuple(arrayed[:5]))
    delays = sorted(n.name for n in graph.nodes.values() if n.kind == "pipeline")
    if delays:
        raise ModelError(f"backend='numba' does not run DELAY FIXED ({delays[:5]}); use "
                         "backend='auto'", tuple(delays[:5]))
    random = sorted({graph.nodes[k].owner for k in graph.noise})
    if random:
        raise ModelError(f"backend='numba' does not run RANDOM functions ({random[:5]}); use "
                         "backend='auto'", tuple(random[:5]))
    outputs = default_outputs(graph) if outputs is None else tuple(outputs)
    writer = NumbaWriter(graph, tuple(params), outputs)
    source = run_source(writer, tableau)
    module = import_cached(source, writer.namespace)
    run = numba.njit(cache=True, error_model="numpy")(module.run)
    return NumbaModel(graph=graph, params=tuple(params), tableau=tableau, source=source,
                      run=run, param_slots=writer.params, outputs=outputs,
                      n_params=writer.n_params)


def run_numba(graph: ModelGraph, values: dict, n: int, outputs, tableau, grid):
    """``(times, saved, failed)`` for `sdflow.simulate`, or None when a value is not
    finite (the caller then reruns on the numpy path, which names it).

    ``tableau`` is the fixed-step method, ``grid`` the `sdflow.solve.grid.TimeGrid` of the
    run. The compiled function is kept in the compile cache (`sdflow.compile.cache`) with
    the per-run parameters, outputs and method, like `sdflow.Model.compile`.
    """
    params = tuple(sorted(values))
    cache_key = ("numba", params, None if outputs is None else tuple(outputs), tableau)
    compiled = cached(graph, cache_key, lambda: compile_numba(graph, tableau, params, outputs))
    out = compiled(compiled.parameter_matrix(values, n), grid)
    if out is None:
        return None
    saved = {key: out[j] for j, key in enumerate(compiled.outputs)}
    return grid.saved_times, saved, np.zeros(n, dtype=bool)
