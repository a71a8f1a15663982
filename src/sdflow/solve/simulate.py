"""`simulate`: run a model, one run or a batch of runs in one computation."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..compile import CompiledModel, compile_model
from ..compile.cache import compiled_for
from ..compile.compiled import default_outputs
from ..compile.noise import DEFAULT_SEED
from ..compile.numba_warm import numba_is_warm
from ..errors import ModelError, OptionError, SimulationError, UnknownNameError
from ..ir.graph import ModelGraph
from ..names import name_key
from ..time_settings import validate_time_settings
from .dataset import build_dataset
from .grid import TimeGrid, saved_count
from .memory import MemoryEstimate, check_memory, estimate_memory
from .options import RunOptions, run_options
from .parameters import resolve_parameters
from .results import Results, RunArrays
from .time_constants import check_time_constants
from .solvers import FIXED_STEP, SOLVERS, ScipyAdaptive
from .solvers.base import combine_arrays, combine_floats


def simulate(model, params: dict[str, Any] | None = None, n: int | None = None,
             method: str = "euler", saveper: float | None = None,
             variables: Sequence[str] | None = None, seed: int | None = None,
             on_error: str = "raise", start: float | None = None, stop: float | None = None,
             dt: float | None = None, rtol: float = 1e-6, atol: float = 1e-9,
             backend: str = "auto", output: str = "results",
             options: RunOptions | None = None) -> Results | RunArrays:
    """Run ``model`` for one run or a batch of ``n`` runs at once.

    Parameters
    ----------
    model : ModelGraph, CompiledModel or Model
        What to run: a model graph (which carries the time settings), a compiled model
        (its graph is run), or anything whose ``graph()`` gives one, such as a `Model`.
    params : dict, optional
        Constant name -> value. A number or an array shaped like the constant applies to
        every run; an array shaped ``(n, *dims)`` gives each run its own value; a
        distribution (``sf.uniform(0.2, 0.6)``...) is sampled for every run.
    n : int, optional
        Number of runs (default: 1, or what per-run arrays imply). A batch whose saved
        results and working arrays would not fit in memory (runs x saved times x saved
        values x 8 bytes, see `sdflow.solve.memory`) raises `ResourceError` before it
        starts, with the estimate and what to change.
    method : {"euler", "heun", "rk4", "rk45"}
        Euler (Vensim's order: flows at t, then stocks), Heun's 2nd-order method (RK2),
        classical RK4, or adaptive Dormand-Prince through ``scipy.integrate.solve_ivp``
        (refused for models with STEP, PULSE, RAMP or DELAY FIXED). The fixed-step methods
        are Butcher tableaux run by one loop on every backend (`sdflow.solve.solvers`).
    saveper : float, optional
        Saving interval, at least ``dt`` (default: the model's); not a multiple of ``dt``,
        it saves the step nearest to each multiple (Vensim's rule).
    variables : list of str, optional
        Save only these variables (default: all stocks, flows, auxiliaries and data).
    seed : int, optional
        Seed for sampling distributions.
    on_error : {"raise", "mark"}
        A NaN or infinite value raises `SimulationError` naming the variable, run and time;
        with "mark" the failing runs are set aside (``results.failed``) and the rest go on.
    start, stop, dt : float, optional
        Override the model's time settings for this run (also those that change with
        TIME, see `Model.vary_time_settings`).
    rtol, atol : float
        Tolerances of the adaptive method.
    backend : {"auto", "batched", "scalar", "numba"}
        "numba" (optional package) compiles the whole run loop, dimensions included, for
        models without DELAY FIXED, RANDOM functions and ALLOCATE BY PRIORITY (fixed-step
        methods); compiling takes seconds to minutes once per model and machine (the
        machine code is kept on disk), loading it a fraction of a second once per process.
        "auto" runs the numba code when it is already compiled on this machine for the
        same per-run parameters, saved variables and method (by an earlier
        ``backend="numba"`` run, `sdflow.precompile` or ``sdflow compile``; see
        `sdflow.compile.numba_warm`); otherwise it takes the scalar (plain Python floats)
        path for single runs of models without dimensions, and batched numpy for the rest.
        "auto" never compiles with numba by itself.
    output : {"results", "arrays"}
        "results" (default) returns `Results` (an xarray Dataset with coordinates, units,
        constants); "arrays" returns the saved arrays alone as `RunArrays` (variable name
        -> ``(time, run, *dims)`` array, plus the failed-run mask), skipping the Dataset:
        for callers that run the model many times and read a few arrays (optimisers,
        samplers).
    options : RunOptions, optional
        All of the options above in one checked object; keywords given as well (other
        than their defaults) replace its fields. The keywords are made into one too, so a
        bad value raises `OptionError` (naming the option, the value and the choices)
        before anything runs, and ``backend="numba"`` without numba raises
        `MissingBackendError`.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=0.25)
    >>> k = m.const("k", 0.2)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("decay", k * x, source=x)
    >>> runs = m.simulate(params={"k": sf.uniform(0.1, 0.3)}, n=1000, seed=1)
    >>> runs["x"].dims
    ('time', 'run')
    >>> arrays = m.simulate(params={"k": [0.1, 0.2]}, n=2, output="arrays")
    >>> arrays.values["x"].shape  # (time, run): 41 saved times of 2 runs
    (41, 2)
    """
    if output not in ("results", "arrays"):
        raise OptionError(f"output={output!r} must be 'results' or 'arrays' (a Results or "
                          "the bare RunArrays)")
    opts = run_options(options, method=method, saveper=saveper, variables=variables,
                       seed=seed, on_error=on_error, start=start, stop=stop, dt=dt, rtol=rtol,
                       atol=atol, backend=backend)
    graph = model_graph(model)
    if graph.time_settings:  # settings that change with TIME
        from .time_grid import simulate_varying
        results = simulate_varying(graph, params, n, opts)
        return RunArrays.from_results(results) if output == "arrays" else results
    method, saveper, variables, seed = opts.method, opts.saveper, opts.variables, opts.seed
    on_error, start, stop, dt, backend = (opts.on_error, opts.start, opts.stop, opts.dt,
                                          opts.backend)
    start = graph.start if start is None else start
    stop = graph.stop if stop is None else stop
    dt = graph.dt if dt is None else dt
    validate_time_settings(start, stop, dt, None)  # before dt divides anything below
    if saveper is None:  # the model's, unless a run's larger dt passes over it
        saveper = max(graph.saveper, dt)
    validate_time_settings(start, stop, dt, saveper)
    if method == "rk45" and graph.has_discrete:
        names = [graph.nodes[k].name for k in graph.discrete]
        raise SimulationError(
            f"method='rk45' cannot integrate model '{graph.name}': {names} use discrete "
            "builtins (STEP, PULSE, RAMP, DELAY FIXED) whose jumps an adaptive step would "
            "miss; use method='rk4' or 'euler' with a suitable dt", tuple(names))
    if method == "rk45" and graph.noise:
        names = sorted({graph.nodes[k].owner for k in graph.noise})
        raise SimulationError(
            f"method='rk45' cannot integrate model '{graph.name}': {names} draw random "
            "numbers (RANDOM functions), which change at every time step; use method="
            "'euler' or 'rk4' with a suitable dt", tuple(names))

    outputs = _outputs(graph, variables)
    saved_times = saved_count(start, stop, dt, saveper)
    if isinstance(n, (int, np.integer)) and n > 1:  # before sampling n values of anything
        _check_memory(graph, n, saved_times, outputs, method, params)
    values, n, varies = resolve_parameters(graph, params, n, seed)
    estimate = _check_memory(graph, n, saved_times, outputs, method, values)
    check_time_constants(graph, values, dt, method)
    numba_result = None
    grid = TimeGrid.uniform(start, stop, dt, saveper)
    if backend == "numba":  # optional; a non-finite value reruns batched, which names it
        from ..compile.numba_backend import run_numba
        if method not in FIXED_STEP:
            raise OptionError(f"backend='numba' integrates with the fixed-step methods "
                              f"{sorted(FIXED_STEP)}, not {method!r}", "method", method)
        numba_result = run_numba(graph, values, n, outputs, FIXED_STEP[method].tableau,
                                 grid)
        backend = "batched"
    elif backend == "auto" and method in FIXED_STEP and numba_is_warm(
            graph, tuple(sorted(values)), outputs, FIXED_STEP[method].tableau):
        # compiled on this machine before: its code loads, it does not compile. A
        # non-finite value reruns on the path "auto" takes otherwise, which names it
        from ..compile.numba_backend import run_numba
        numba_result = run_numba(graph, values, n, outputs, FIXED_STEP[method].tableau,
                                 grid)
    scalar = {"auto": None, "batched": False, "scalar": True}[backend]
    if scalar is None:
        scalar = n == 1 and method != "rk45" and _plain_numbers(graph)
    elif scalar and (n != 1 or method == "rk45"):
        raise OptionError("backend='scalar' runs one run with a fixed-step method",
                          "backend", backend)
    elif scalar and any(nd.dims and nd.kind != "const" for nd in graph.nodes.values()):
        arrayed = sorted(nd.name for nd in graph.nodes.values()
                         if nd.dims and nd.kind != "const" and not nd.hidden)
        raise OptionError(f"backend='scalar' computes with plain numbers, but {arrayed[:5]} "
                          "vary over dimensions; use backend='batched' (or 'auto')",
                          "backend", backend)
    if numba_result is None:
        compiled = compiled_for(graph, tuple(values), scalar=scalar, outputs=outputs)
        P = compiled.parameter_matrix(values, n)
        run = _Run(compiled, P, n, start, stop, dt, saveper, on_error, grid=grid,
                   seed=noise_seed(seed, graph))
    block = estimate.block or n
    if numba_result is not None:
        times, saved, failed = numba_result
    elif method != "rk45" and not compiled.scalar and n > block:
        times, saved, failed = run.fixed_in_blocks(SOLVERS[method], block)
    elif method == "rk45":
        times, saved, failed = run.adaptive(ScipyAdaptive(rtol=opts.rtol, atol=opts.atol))
    else:
        try:
            times, saved, failed = run.fixed(SOLVERS[method]())
        except _ScalarPathFailure:
            # Python floats raise on 1/0 or log(0) (or turn complex) without saying where;
            # the same run on numpy arrays gives NaN/inf and names the variable and time.
            compiled = compiled_for(graph, tuple(values), scalar=False, outputs=outputs)
            run = _Run(compiled, compiled.parameter_matrix(values, n), n, start, stop, dt,
                       saveper, on_error, grid=grid, seed=noise_seed(seed, graph))
            times, saved, failed = run.fixed(SOLVERS[method]())

    if output == "arrays":
        return RunArrays(times, {graph.nodes[k].name: v for k, v in saved.items()}, failed)
    constants = {k: np.broadcast_to(v, (n,) + graph.nodes[k].shape) for k, v in values.items()}
    keep_run = n > 1 or varies
    attrs = {"model": graph.name, "method": method, "dt": dt, "saveper": saveper,
             "n_runs": n, "time_units": graph.time_units or ""}
    dataset = build_dataset(graph, times, saved, constants, n, keep_run, attrs)
    if failed.any():
        dataset["failed"] = ("run", failed) if keep_run else ((), bool(failed[0]))
    return Results(dataset)


def model_graph(model) -> ModelGraph:
    """The graph to run: ``model`` itself, a compiled model's graph, or ``model.graph()``.

    Duck typing keeps the solver below the modelling language: a `Model` (or a scenario's
    model) is run through its ``graph()``, without this layer importing the DSL.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> x = m.stock("x", initial=1.0)
    >>> model_graph(m) is m.graph() is model_graph(m.graph())
    True
    """
    if isinstance(model, ModelGraph):
        return model
    if isinstance(model, CompiledModel):
        return model.graph
    graph = getattr(model, "graph", None)
    if callable(graph):
        return graph()
    raise TypeError(f"simulate() runs a model graph, a compiled model or a Model, not "
                    f"{type(model).__name__}: build one with sf.Model(...) or read one with "
                    "sf.read_vensim / sf.read_xmile")


def _plain_numbers(graph: ModelGraph) -> bool:
    """Whether a single run of ``graph`` can take the scalar path (no dimensions, no DELAY
    FIXED); kept in the graph's ``memo``, as the graph is frozen."""
    found = graph.memo.get(_PLAIN_NUMBERS)
    if found is None:
        nodes = graph.nodes.values()
        found = graph.memo[_PLAIN_NUMBERS] = all(not nd.dims for nd in nodes) and not any(
            nd.kind == "pipeline" for nd in nodes)
    return found


_PLAIN_NUMBERS = f"{__name__}.plain_numbers"


def _check_memory(graph: ModelGraph, n: int, saved_times: int, outputs, method: str,
                  params) -> MemoryEstimate:
    """Refuse (`ResourceError`) a batch that would not fit in memory, before it starts."""
    keys = outputs if outputs is not None else default_outputs(graph)
    estimate = estimate_memory(graph, int(n), saved_times, keys, method,
                               n_params=len(params or ()))
    check_memory(estimate, graph.name)
    return estimate


def _outputs(graph: ModelGraph, variables) -> tuple[str, ...] | None:
    if variables is None:
        return None
    if isinstance(variables, str):
        variables = [variables]
    keys = []
    for name in variables:
        key = name_key(name)
        node = graph.nodes.get(key)
        if node is None:
            raise UnknownNameError(f"variables=: '{name}' is not a variable of model "
                                   f"'{graph.name}'", (name,))
        if node.kind == "const":
            raise ModelError(f"variables=: '{name}' is a constant; it does not change in time "
                             "(read it from the model instead)", (name,))
        keys.append(key)
    return tuple(keys)


class SavedArrays:
    """The saved outputs of a batched run, written in place as the run goes.

    Preallocated once (``(saved times, runs, *dims)`` per output), so the results never
    exist twice, as they would if rows were collected and stacked at the end.
    """

    def __init__(self, compiled: CompiledModel, n: int, count: int,
                 into: dict[str, np.ndarray] | None = None):
        nodes = compiled.graph.nodes
        self.arrays = into if into is not None else {
            key: np.empty((count, n) + nodes[key].shape) for key in compiled.outputs}
        self._blocks = list(self.arrays.values())
        self._row = 0

    def append(self, row) -> None:
        """Store the outputs of one saved time (values shared by all runs broadcast)."""
        for block, value in zip(self._blocks, row):
            block[self._row] = value
        self._row += 1


class _ScalarPathFailure(Exception):
    """The scalar path met NaN, inf or a Python math error: redo the run batched."""


def noise_seed(seed: int | None, graph) -> int | None:
    """The seed of a run's random draws: the run's ``seed``, else the model's NOISE SEED
    (`Model.noise_seed`), else None (Vensim's default, `compile.noise.DEFAULT_SEED`)."""
    return seed if seed is not None else graph.noise_seed


class _Run:
    """The time loop of one call to `simulate`: one loop over a `TimeGrid` for every
    fixed-step method (a Butcher tableau, `solvers.ExplicitRungeKutta`), on numpy arrays
    or on plain floats, or the scalar path's fused loop generated from the same tableau."""

    def __init__(self, compiled: CompiledModel, P, n, start, stop, dt, saveper, on_error,
                 first_run: int = 0, saved_into: dict[str, np.ndarray] | None = None,
                 grid: TimeGrid | None = None, seed: int | None = None):
        self.c, self.P, self.n = compiled, P, n
        self.first_run = first_run    # index of this batch's first run in the whole call
        # RANDOM functions draw from (seed, run index): Vensim's default NOISE SEED
        # without a seed, so a model gives the same numbers every time, as in Vensim
        self.seed = seed
        self.noise = (DEFAULT_SEED if seed is None else int(seed), first_run)
        self.saved_into = saved_into  # arrays to save into (a block's slice of the runs)
        self.grid = grid if grid is not None else TimeGrid.uniform(start, stop, dt, saveper)
        self.start, self.on_error = float(self.grid.times[0]), on_error
        self.dt = float(self.grid.dts[0])
        self.mem: dict = {"dt": self.dt, "noise": self.noise}
        self.failed = np.zeros(n, dtype=bool)
        self.P_eval = P[0].tolist() if compiled.scalar else P

    def _times(self):
        return self.grid.saved_times

    def _initial_state(self):
        with np.errstate(all="ignore"):
            y = self.c.initialize(self.start, self.P_eval, self.mem, self.n)
        if self._bad(y):
            self._fail(self.start, None, y, 0)
            y = np.where(self.failed[:, None], np.nan, y) if not self.c.scalar else y
        return y

    def _restart(self) -> None:
        self.dt = float(self.grid.dts[0])
        self.mem = {"dt": self.dt, "noise": self.noise}
        self.failed = np.zeros(self.n, dtype=bool)

    # -- fixed step ------------------------------------------------------------------------
    def fixed(self, solver):
        if not self.c.scalar:
            # Checking every saved value at every step costs more than the arithmetic on
            # small batches, so first run checking the state only, then the saved arrays at
            # once. If anything at all went non-finite, run again from the start with every
            # check, which names the variable and time (or marks runs) as it happened.
            try:
                times, saved, failed = self._fixed(solver, check_outputs=False)
                if not failed.any() and all(math.isfinite(a.sum()) or np.isfinite(a).all()
                                            for a in saved.values()):
                    return times, saved, failed
            except SimulationError:
                pass
            self._restart()
            return self._fixed(solver)
        try:
            fused = self.c.fused_loop(solver.tableau)
            if fused is not None:
                # the whole loop in generated code: same arithmetic, far fewer calls
                rows = fused(self.P_eval, self.mem, *self.grid.lists)
                if rows is None:  # a value went non-finite: the batched rerun names it
                    raise _ScalarPathFailure
                return self._times(), self._stack(rows), self.failed
            return self._fixed(solver)
        except (ArithmeticError, ValueError, TypeError) as exc:
            raise _ScalarPathFailure from exc

    def fixed_in_blocks(self, solver_type, block: int):
        """`fixed` over blocks of ``block`` runs one after another, each saving into its
        slice of arrays made once for all runs.

        Runs do not interact, so the results are those of one batch; but the arrays of a
        step of a small block stay in the processor's cache, which makes large batches
        several times faster (see `memory.runs_per_block`).
        """
        c, n = self.c, self.n
        count = len(self._times())
        arrays = {key: np.empty((count, n) + c.graph.nodes[key].shape) for key in c.outputs}
        failed = np.zeros(n, dtype=bool)
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            part = _Run(c, self.P[lo:hi], hi - lo, None, None, None, None, self.on_error,
                        first_run=self.first_run + lo,
                        saved_into={key: a[:, lo:hi] for key, a in arrays.items()},
                        grid=self.grid, seed=self.seed)
            times, _, part_failed = part.fixed(solver_type())
            failed[lo:hi] = part_failed
        return times, arrays, failed

    def _fixed(self, solver, check_outputs: bool = True):
        """The time loop: every step of the grid, saving where it says, NaN checks."""
        c, P, mem = self.c, self.P_eval, self.mem
        evaluate = c.evaluate
        combine = combine_floats if c.scalar else combine_arrays
        times, dts, save_flags = self.grid.lists
        last = len(times) - 1
        y = self._initial_state()
        saved_rows = [] if c.scalar else SavedArrays(c, self.n, len(self._times()),
                                                     self.saved_into)

        def f(t, state, commit):
            return evaluate(t, state, P, mem, k, commit, False)[0]

        with np.errstate(all="ignore"):
            for k in range(last + 1):
                t = times[k]
                dt = self.dt = mem["dt"] = dts[k]  # STEP, PULSE... read this step's dt
                save = save_flags[k]
                dy, out = evaluate(t, y, P, mem, k, True, save)
                if save:
                    if check_outputs and self._bad(out):
                        self._fail(t, y, None, k)
                    saved_rows.append(out)
                if k == last:
                    break
                y_next = solver.step(f, t, y, dt, dy, combine)
                if self._bad(y_next):
                    y_next = self._fail(t, y, y_next, k)
                y = y_next
        return self._times(), self._stack(saved_rows), self.failed

    # -- adaptive --------------------------------------------------------------------------
    def adaptive(self, solver: ScipyAdaptive):
        c, P, mem = self.c, self.P, self.mem
        y0 = self._initial_state()
        times = self._times()
        with np.errstate(all="ignore"):
            states = solver.integrate(
                lambda t, y, commit: c.evaluate(t, y, P, mem, 0, False, False)[0],
                self.start, float(times[-1]), y0, times)
            rows = []
            for i, t in enumerate(times):
                _, out = c.evaluate(float(t), states[i], P, mem, 0, False, True)
                if self._bad(out) or self._bad(states[i]):
                    self._fail(float(t), states[i], None, 0)
                rows.append(out)
        return times, self._stack(rows), self.failed

    # -- saving and failures -----------------------------------------------------------------
    def _stack(self, rows) -> dict[str, np.ndarray]:
        if isinstance(rows, SavedArrays):
            return rows.arrays
        n = self.n
        saved = {}
        if self.c.scalar:  # one conversion of the whole table, then one column per output
            try:
                columns = np.array(rows, dtype=float).reshape(len(rows), -1).T.copy()
            except (TypeError, ValueError):
                columns = np.array([[float(v) for v in row] for row in rows]
                                   ).reshape(len(rows), -1).T.copy()
        for i, key in enumerate(self.c.outputs):
            shape = (n,) + self.c.graph.nodes[key].shape
            if self.c.scalar:
                saved[key] = columns[i].reshape((len(rows),) + shape)
            else:
                block = np.empty((len(rows),) + shape)
                for j, row in enumerate(rows):
                    block[j] = row[i]  # broadcasts values shared by all runs
                saved[key] = block
        return saved

    def _bad(self, values) -> bool:
        if values is None:
            return False
        if self.c.scalar:
            total = sum(values)
            return total - total != 0 or isinstance(total, complex)
        # quick path for the usual case: a finite sum means every term is finite
        if isinstance(values, np.ndarray):
            if math.isfinite(values.sum()):
                return False
            finite = np.isfinite(values).reshape(self.n, -1).all(axis=1)
            return bool((~finite & ~self.failed).any())
        if math.isfinite(sum(v.sum() if isinstance(v, np.ndarray) else v for v in values)):
            return False
        return any(self._bad(np.broadcast_to(v, (self.n,) + np.shape(v)[1:])
                             if np.ndim(v) else np.full(self.n, v)) for v in values)

    def _fail(self, t, y, y_next, k):
        """Name the first variable that went non-finite; raise, or mark the runs failed."""
        if self.c.scalar:
            raise _ScalarPathFailure
        runs, culprit, when = self._locate(t, y, y_next, k)
        if self.on_error == "raise":
            node = self.c.graph.nodes.get(name_key(culprit))
            owner = node.owner if node is not None else None
            what = (f"'{culprit}' (a hidden part of the smooth, delay or trend in '{owner}')"
                    if owner else f"'{culprit}'")
            check = (f"the equation of '{owner}' for a delay or smooth time that reached "
                     "zero or below, division by zero" if owner else
                     "its equation for division by zero")
            run = int(runs[0]) + self.first_run
            raise SimulationError(
                f"{what} became NaN or infinite in run {run} at time {when:g} "
                f"(model '{self.c.graph.name}'); check {check}, "
                "log of a non-positive number or overflow, or pass on_error='mark' to keep "
                "the other runs", (culprit,) + ((owner,) if owner else ()), run=run,
                time=when)
        self.failed[runs] = True
        if y_next is not None:
            y_next = np.array(y_next)
            y_next[self.failed] = np.nan
        return y_next

    def _diagnostic(self) -> CompiledModel:
        """The model compiled to return every auxiliary and flow, in evaluation order, and
        every stock; made once per run, only when something went wrong."""
        if getattr(self, "_diagnostic_model", None) is None:
            graph = self.c.graph
            order = [key for key in graph.flow_order if graph.nodes[key].kind != "pipeline"]
            self._diagnostic_model = compile_model(
                graph, params=self.c.params, scalar=self.c.scalar,
                outputs=tuple(order + list(graph.stocks)))
        return self._diagnostic_model

    def _locate(self, t, y, y_next, k):
        c = self.c
        graph = c.graph
        n = self.n
        if y is None:  # the initial state is bad: name the stock, not a flow reading it
            arr = np.asarray(y_next, float).reshape(n, -1)
            for key, slot in c.states.items():
                bad = ~np.isfinite(arr[:, slot.offset:slot.stop]).all(axis=1) & ~self.failed
                if bad.any():
                    return np.flatnonzero(bad), graph.nodes[key].name, t
        diagnostic = self._diagnostic()
        state = y if y is not None else y_next
        _, values = diagnostic.evaluate(t, state, self.P_eval, dict(self.mem), k, False, True)
        for key, value in zip(diagnostic.outputs, values):
            arr = np.broadcast_to(np.asarray(value, float), (n,) + graph.nodes[key].shape) \
                if not c.scalar else np.full(1, float(value))
            bad = ~np.isfinite(arr.reshape(n, -1)).all(axis=1) & ~self.failed
            if bad.any():
                return np.flatnonzero(bad), graph.nodes[key].name, t
        if y_next is not None:
            arr = np.asarray(y_next, float).reshape(n, -1)
            for key, slot in c.states.items():
                bad = ~np.isfinite(arr[:, slot.offset:slot.stop]).all(axis=1) & ~self.failed
                if bad.any():
                    return np.flatnonzero(bad), graph.nodes[key].name, t + self.dt
        return np.flatnonzero(~self.failed)[:1], "a state variable", t
