"""The optional numba backend: a whole batch of runs in one compiled function.

The scalar expressions the single-run path generates are placed in one function
``_evaluate`` computing the rates of the state (and, at saved steps, every saved value),
which ``run(P, times, dts, save, out)`` calls once per Runge-Kutta stage: ``run`` loops
over the runs (rows of the parameter matrix ``P``) and, in each, over the steps of the
time grid (the loop of `sdflow.compile.grid_loop`, for any fixed-step method's Butcher
tableau), writing every saved value into a preallocated array ``out`` shaped (saved
times, runs, columns). ``numba.njit`` compiles each function on its own; the equations
are written once whatever the method, not once per stage.

Models with dimensions run the same way: their own printer
(`sdflow.compile.numba_printer`) writes every element of a variable with dimensions as a
local float of its own, so sums over a dimension, selections, transposes and per-element
lookups become plain arithmetic on floats, and arrayed SMOOTH and DELAY (hidden stocks
with dimensions) are stocks like any other. Lookups and the other helpers are numba twins
of the scalar helpers (`sdflow.compile.numba_runtime`), doing the same arithmetic in the
same order, so a model without dimensions matches the scalar path bit for bit (up to the
last bit of the C library's ``exp``/``log``), and one with dimensions matches the numpy
path to rounding (numpy adds along a dimension in an order of its own).

Compiling takes seconds on a large model, so the backend compiles only when asked to
(``simulate(..., backend="numba")``, `sdflow.precompile`); the compiled function is
cached on the model, and its machine code on disk (`sdflow.compile.numba_cache`, keyed by
the generated source and the tables it reads), so a model compiles once per machine.
Once it has, a marker in the cache folder (`sdflow.compile.numba_warm`) lets
``backend="auto"`` run the code too, for a load instead of a compile.
It does not diagnose: when a state or saved value is NaN or infinite ``run`` returns
False (or the saved values show it) and the caller reruns the batch on the numpy path,
which names the variable, run and time. DELAY FIXED pipelines, ``allocate_by_priority``
and models of more than `MAX_ELEMENTS` elements are refused with an
`UnsupportedBackendError` naming the variables.
"""

from __future__ import annotations

import itertools
import time
import types
from dataclasses import dataclass, field

import numpy as np

from ..errors import MissingBackendError, ModelError, UnsupportedBackendError
from ..ir.graph import ModelGraph
from ..ir.order import references
from .cache import cached
from .compiled import CompiledModel, default_outputs
from .expressions import Value
from .grid_loop import grid_loop_calls
from .identifiers import python_identifier
from .layout import Slot, lay_out
from .module import ModuleWriter
from .numba_cache import import_cached, kept_on_disk
from .numba_printer import NumbaExpressionWriter
from .numba_warm import mark_warm, numba_key, warm_key

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


#: at most this many elements of computed variables: each is a line of the generated code
#: (in ``_evaluate``), and numba's compile time grows with the code
MAX_ELEMENTS = 20_000
#: at most this many parts of expressions written for one variable (all its elements):
#: nested sums over dimensions are written out, so they grow as the product of the
#: dimensions' lengths
MAX_TERMS = 50_000


class NumbaWriter(ModuleWriter):
    """Writes one model as numba-compilable code over plain floats.

    A variable without dimensions is a local float, as on the scalar path; a variable with
    dimensions is one local float per element (named after it, e.g. ``output_2``), each
    computed by its own line printed by `NumbaExpressionWriter`; a folded constant with
    dimensions is a number per element. Lookups and data series are numpy arrays (numba
    cannot read lists).
    """

    expression_writer = NumbaExpressionWriter

    def __init__(self, graph: ModelGraph, params: tuple[str, ...], outputs: tuple[str, ...]):
        super().__init__(graph, params, True, outputs)
        self.namespace["rt"] = jitted_runtime()
        self.writer.dimensions = dict(graph.dimensions)
        #: the local name of every element of each variable with dimensions
        self.elements_of = {
            key: [python_identifier(f"{node.name}_{i}", self.taken) for i in range(node.size)]
            for key, node in graph.nodes.items()
            if node.dims and (node.kind != "const" or key in self.params)}
        #: the outputs' columns in the saved array (outputs with dimensions take several)
        self.columns, self.n_columns = lay_out(outputs, [graph.nodes[k].shape for k in outputs])

    # -- references ----------------------------------------------------------------------
    def _reference(self, key: str) -> Value:
        node = self.graph.nodes[key]
        if node.kind == "const" and key not in self.params:
            value = np.asarray(node.value, dtype=float)
            if node.dims:
                value = value.reshape(-1)[self.writer.flat_index(node.dims)]
            return Value(self.writer.number(value), (), False)
        if not node.dims:
            return Value(self.names[key], (), False)
        return Value(self.elements_of[key][self.writer.flat_index(node.dims)], (), False)

    def _lookup(self, lookup):
        xs, ys = super()._lookup(lookup)
        self.namespace[xs] = np.asarray(lookup.x, dtype=float)
        self.namespace[ys] = np.asarray(lookup.y, dtype=float)
        return xs, ys

    def local_names(self, key: str) -> list[str]:
        """The local float(s) holding node ``key``: its name, or one per element."""
        return self.elements_of.get(key, [self.names[key]])

    # -- statements ----------------------------------------------------------------------
    def elements(self, key: str, expr) -> list[str]:
        """Lines setting every element of node ``key`` to ``expr``."""
        return [f"{name} = {code}" for name, code in zip(self.local_names(key),
                                                         self.element_codes(key, expr))]

    def element_codes(self, key: str, expr) -> list[str]:
        """The code of ``expr`` at every element of node ``key``, in C order."""
        node = self.graph.nodes[key]
        self.writer.owner = node.name
        positions = itertools.product(*(range(len(d)) for d in node.dims))
        names = [d.name for d in node.dims]
        codes = []
        for i, p in enumerate(positions):
            codes.append(self.writer.at(expr, dict(zip(names, p)),
                                        budget=MAX_TERMS if i == 0 else None))
        return codes

    def _data(self, key: str) -> list[str]:
        node = self.graph.nodes[key]
        xs, ys = self.table_name("DX_", key), self.table_name("DY_", key)
        self.namespace[xs] = np.asarray(node.times, dtype=float)
        series = np.asarray(node.series, dtype=float)
        if not node.dims:
            self.namespace[ys] = series
            return [f"{self.names[key]} = rt.interp_scalar(t, {xs}, {ys})"]
        # one contiguous row of values per element
        self.namespace[ys] = np.ascontiguousarray(series.reshape(len(series), -1).T)
        return [f"{name} = rt.interp_scalar(t, {xs}, {ys}[{i}])"
                for i, name in enumerate(self.local_names(key))]

    def line(self, key: str) -> list[str]:
        """The lines computing node ``key`` at the current time."""
        node = self.graph.nodes[key]
        if node.kind == "data":
            return self._data(key)
        return self.elements(key, node.equation)

    def stocks(self) -> list[str]:
        """The local floats of the state, element by element."""
        return [name for key in self.states for name in self.local_names(key)]

    def rates(self) -> list[str]:
        """The rate of every element of the state (as `stocks`)."""
        return [code for key in self.states
                for code in self.element_codes(key, self.graph.nodes[key].rate)]

    def memory(self) -> list[str]:
        """The local floats of the INITIAL values, element by element: computed at the
        start of a run and held."""
        return [name for key, node in self.graph.nodes.items() if node.kind == "initial"
                for name in self.local_names(key)]

    def params_lines(self) -> list[str]:
        """Lines reading the run's parameters from its row ``_p`` of ``_P``."""
        return [f"{name} = _p[{slot.offset + i}]" for key, slot in self.params.items()
                for i, name in enumerate(self.local_names(key))]

    def save(self) -> list[str]:
        """Lines copying every output into its columns of ``_out[_row, _r]``."""
        return [f"_out[_row, _r, {slot.offset + i}] = {name}"
                for key, slot in self.columns.items()
                for i, name in enumerate(self.local_names(key))]


def run_source(w: NumbaWriter, tableau) -> str:
    """Source of three functions: ``run(_P, _times, _dts, _save, _out) -> bool`` (False:
    a state went non-finite) loops over the runs (rows of ``_P``) and, in each, over the
    steps of the grid (`sdflow.compile.grid_loop.grid_loop_calls` for ``tableau``); it
    calls ``_start``, which writes the state at the start of a run into ``_s`` (and the
    INITIAL values into ``_m``), and once per stage ``_evaluate``, which computes the
    rates of the state ``_s`` at time ``t`` into ``_k`` and, when ``_keep``, stores the
    saved values in row ``_row`` of ``_out``.

    The equations are written once, in ``_evaluate``, not once per stage: numba compiles
    each function on its own, and its time grows faster than the length of a function.
    """
    graph, nodes = w.graph, w.graph.nodes
    needed = w._needed_for_rates()
    stocks, memory = w.stocks(), w.memory()
    start = needed_at_start(graph)
    lines = ["def _start(_p, t, dt, _s, _m):",
             '    """The state at the start of a run into _s, INITIAL values into _m."""',
             "    t_input = t"]
    body = w.params_lines()
    for key in graph.init_order:  # as `ModuleWriter.initialize_source` on the scalar path
        node = nodes[key]
        if node.kind == "const" or key not in start:
            continue
        if node.kind == "stock":
            body += w.elements(key, node.initial)
        elif node.kind == "initial":
            body += w.elements(key, node.equation)
        elif node.init_equation is not None:  # ACTIVE INITIAL: its value at the start
            body += w.elements(key, node.init_equation)
        else:
            body += w.line(key)
    body += [f"_s[{i}] = {name}" for i, name in enumerate(stocks)]
    body += [f"_m[{i}] = {name}" for i, name in enumerate(memory)]
    lines += ["    " + line for line in body]

    lines += ["", "", "def _evaluate(_s, _m, _p, t, t_input, dt, _k, _keep, _out, _row, _r):",
              '    """The rates of the state _s into _k; if _keep, the saved values into '
              '_out."""']
    body = [f"{name} = _s[{i}]" for i, name in enumerate(stocks)]
    body += [f"{name} = _m[{i}]" for i, name in enumerate(memory)]
    body += w.params_lines()
    # Vensim holds STEP, PULSE and RAMP over a Runge-Kutta step (see `evaluate_source`)
    w.writer.input_time = "t_input"
    try:
        body += [line for k in graph.flow_order if k in needed for line in w.line(k)]
        body += [f"_k[{i}] = {code}" for i, code in enumerate(w.rates())]
        rest = [line for k in graph.flow_order if k not in needed for line in w.line(k)]
    finally:
        w.writer.input_time = "t"
    body += ["if _keep:"] + ["    " + line for line in rest + w.save() or ["pass"]]
    lines += ["    " + line for line in body]

    n = len(stocks)
    lines += ["", "", "def run(_P, _times, _dts, _save, _out):",
              '    """Every run of the batch; False as soon as a state is not finite."""',
              "    _last = _times.shape[0] - 1",
              f"    _s = np.empty({n})",
              f"    _m = np.empty({len(memory)})"]
    if tableau.stages > 1 and n:
        lines.append(f"    _y = np.empty({n})")
    lines += [f"    _k{i} = np.empty({n})" for i in range(tableau.stages if n else 1)]
    # no literal arguments (0, False): numba would compile _evaluate once for the
    # literal and once for its type
    lines.append("    _never = _last < 0")
    body = ["_p = _P[_r]", "_start(_p, _times[0], _dts[0], _s, _m)", "_row = np.int64(0)"]
    body += grid_loop_calls(tableau, n, "_evaluate(_s, _m, _p, {t}, _t0, dt, {k}, {save}, "
                                        "_out, _row, _r)", "return False")
    lines += ["    for _r in range(_P.shape[0]):"] + ["        " + line for line in body]
    lines.append("    return True")
    return "\n".join(lines) + "\n"


def needed_at_start(graph: ModelGraph) -> set[str]:
    """The nodes the start of a run computes: the stocks, INITIAL values and what their
    initial values read. Every other variable is computed by the first step of the time
    loop before anything reads or saves it, so the start leaves it out (less code for
    numba to compile)."""
    nodes = graph.nodes
    roots = [k for k, n in nodes.items() if n.kind in ("stock", "initial")]
    needed, frontier = set(roots), []
    for key in roots:
        node = nodes[key]
        frontier += references(node.initial if node.kind == "stock" else node.equation)
    while frontier:
        key = frontier.pop()
        if key in needed:
            continue
        needed.add(key)
        node = nodes[key]
        if node.kind in ("aux", "flow"):
            frontier += references(node.equation if node.init_equation is None
                                   else node.init_equation)
    return needed


def check_numba_supports(graph: ModelGraph) -> None:
    """Raise `UnsupportedBackendError` for what the numba backend does not run: DELAY
    FIXED, RANDOM functions (their per-run streams are drawn by numpy), and more elements
    than `MAX_ELEMENTS` (the allocation builtin is refused by the printer, naming its
    variable)."""
    delays = sorted(n.name for n in graph.nodes.values() if n.kind == "pipeline")
    if delays:
        raise UnsupportedBackendError(f"backend='numba' does not run DELAY FIXED "
                                      f"({delays[:5]}); use backend='auto'", tuple(delays[:5]))
    random = sorted({graph.nodes[k].owner for k in graph.noise})
    if random:
        raise UnsupportedBackendError(f"backend='numba' does not run RANDOM functions "
                                      f"({random[:5]}); use backend='auto'", tuple(random[:5]))
    computed = [n for n in graph.nodes.values() if n.kind != "const"]
    total = sum(n.size for n in computed)
    if total > MAX_ELEMENTS:
        largest = sorted(computed, key=lambda n: -n.size)[:3]
        raise UnsupportedBackendError(
            f"backend='numba' writes a line of code per element and runs at most "
            f"{MAX_ELEMENTS} elements; model '{graph.name}' has {total} (the largest "
            f"variables: {[(n.name, n.size) for n in largest]}); use backend='auto'",
            tuple(n.name for n in largest))


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
    #: each output's columns in the saved array (several for an output with dimensions)
    columns: dict[str, Slot]
    n_columns: int
    #: seconds the first call spent in numba's compiler, or loading the compiled code
    #: from the disk cache (None before the first call)
    jit_seconds: float | None = field(default=None)
    #: whether the first call loaded compiled code from the disk cache
    #: (`sdflow.compile.numba_cache`) instead of compiling
    from_cache: bool | None = field(default=None)
    #: the marker written once the code is compiled (`sdflow.compile.numba_warm`), so
    #: that ``backend="auto"`` runs it in later processes; None when the code is not kept
    #: in the shared cache folder
    warm_key: str | None = field(default=None)

    parameter_matrix = CompiledModel.parameter_matrix

    def __post_init__(self):
        # each output a field of a record laid over a row of the saved array: one view per
        # output, already shaped (saved times, runs, *dims), costs one field access
        # (slicing and reshaping the columns costs twice that; a model has hundreds)
        slots = list(self.columns.values())
        self._record = np.dtype({"names": [slot.key for slot in slots],
                                 "formats": [(np.float64, slot.shape) if slot.shape
                                             else np.float64 for slot in slots],
                                 "offsets": [8 * slot.offset for slot in slots],
                                 "itemsize": 8 * self.n_columns}) if slots else None

    def __call__(self, P, grid):
        """The saved values (saved times, runs, columns), or None if one is not finite.

        ``grid`` holds the ``times``, step sizes ``dts`` and ``save`` flags of every step
        (`sdflow.solve.grid.TimeGrid`); `saved` splits the columns by output."""
        out = np.empty((grid.saved_times.shape[0], P.shape[0], self.n_columns))
        begin = time.perf_counter()
        try:
            ok = self.run(P, _read_only(grid.times, float), _read_only(grid.dts, float),
                          _read_only(grid.save, bool), out)
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
            if self.warm_key is not None:
                mark_warm(self.warm_key)
        # a saved value that is not finite (the state was, at the last check): numpy's
        # sum is vectorised, a loop in the compiled code is not (no reordering of sums)
        if not ok or not (np.isfinite(out.sum()) or np.isfinite(out).all()):
            return None
        return out

    def compile_now(self) -> "NumbaModel":
        """Compile the code (or load it from the disk cache) without running the model:
        one call over no runs, with the argument types of every run."""
        if self.jit_seconds is None:
            from types import SimpleNamespace
            grid = SimpleNamespace(times=np.zeros(1), dts=np.zeros(1),
                                   save=np.zeros(1, dtype=bool), saved_times=np.zeros(0))
            self(np.empty((0, self.n_params)), grid)
        return self

    def saved(self, out) -> dict[str, np.ndarray]:
        """Each output's (saved times, runs, *dims) view of ``out``."""
        if self._record is None:
            return {}
        record = out.view(self._record)[:, :, 0]
        return {key: record[key] for key in self.columns}


def _read_only(values, dtype) -> np.ndarray:
    """``values`` as a read-only array: numba compiles (and caches on disk) one function
    per argument type, read-only or not included, so the grid's arrays are always passed
    read-only (as `sdflow.solve.grid.TimeGrid` keeps them), also by `compile_now`."""
    array = np.asarray(values, dtype)
    if array.flags.writeable:
        array = array.view()
        array.flags.writeable = False
    return array


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
    check_numba_supports(graph)
    given_outputs = outputs
    outputs = default_outputs(graph) if outputs is None else tuple(outputs)
    writer = NumbaWriter(graph, tuple(params), outputs)
    source = run_source(writer, tableau)
    module = import_cached(source, writer.namespace)
    jit = numba.njit(cache=True, error_model="numpy")
    # the helpers first: ``run`` finds them compiled among its globals when it compiles
    for name in ("_start", "_evaluate"):
        if not hasattr(getattr(module, name), "py_func"):  # not yet wrapped in this process
            setattr(module, name, jit(getattr(module, name)))
    run = jit(module.run)
    # the marker: made from the per-run parameters and outputs as `simulate` names them
    marker = warm_key(graph, tuple(params), None if given_outputs is None else outputs,
                      tableau) if kept_on_disk(module) else None
    return NumbaModel(graph=graph, params=tuple(params), tableau=tableau, source=source,
                      run=run, param_slots=writer.params, outputs=outputs,
                      n_params=writer.n_params, columns=writer.columns,
                      n_columns=writer.n_columns, warm_key=marker)


def numba_model(graph: ModelGraph, params: tuple[str, ...], outputs, tableau) -> NumbaModel:
    """The numba model of ``graph`` for the per-run parameters ``params`` (sorted keys),
    ``outputs`` (keys, None for the default ones) and the method ``tableau``, kept in the
    compile cache (`sdflow.compile.cache`); it compiles on its first call."""
    return cached(graph, numba_key(params, outputs, tableau),
                  lambda: compile_numba(graph, tableau, params, outputs))


def run_numba(graph: ModelGraph, values: dict, n: int, outputs, tableau, grid):
    """``(times, saved, failed)`` for `sdflow.simulate`, or None when a value is not
    finite (the caller then reruns on the numpy path, which names it).

    ``tableau`` is the fixed-step method, ``grid`` the `sdflow.solve.grid.TimeGrid` of the
    run. The compiled function is kept in the compile cache (`sdflow.compile.cache`) with
    the per-run parameters, outputs and method, like `sdflow.Model.compile`.
    """
    compiled = numba_model(graph, tuple(sorted(values)), outputs, tableau)
    out = compiled(compiled.parameter_matrix(values, n), grid)
    if out is None:
        return None
    return grid.saved_times, compiled.saved(out), np.zeros(n, dtype=bool)
