"""Runs whose time settings change with TIME (Vensim's re-read control variables).

Vensim (and PySD) re-read INITIAL TIME, FINAL TIME, TIME STEP and SAVEPER at every step.
When those settings depend on TIME and constants only (not on the state), the steps of a
run are known before it starts: `time_grid` walks them, then the ordinary fixed-step loop
runs over that grid (`TimeGrid`) with the step size of each step. Models whose settings are numbers
never come here (`simulate` sends only models with ``Model.vary_time_settings``).
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from ..compile.cache import compiled_for
from ..errors import OptionError, TimeSettingsError
from ..ir.order import references
from .dataset import build_dataset
from .grid import TimeGrid
from .options import RunOptions
from .parameters import resolve_parameters
from .results import Results
from .simulate import _check_memory, _outputs, _Run, _ScalarPathFailure, noise_seed
from .solvers import FIXED_STEP
from .time_constants import check_time_constants

#: PySD's relative precision (of the time step) for the final time and the saving times
RPREC = 1e-5
#: Most steps a run whose settings change with TIME may take. Settings such as
#: ``stop=m.time + 5`` recede as fast as the run advances and would never end; walking
#: the grid costs about as much per step as the run itself, so past this many steps the
#: settings are refused with `TimeSettingsError` (ten million steps of even a small model
#: take minutes, and hold their times in memory).
MAX_STEPS = 10_000_000
LABELS = ("start", "stop", "dt", "saveper")
VENSIM = {"start": "INITIAL TIME", "stop": "FINAL TIME", "dt": "TIME STEP",
          "saveper": "SAVEPER"}


def time_grid(settings, start_guess: float, names: dict[str, str] | None = None):
    """Walk the steps of a run whose settings are read at every step.

    ``settings(t)`` returns the dict of "start", "stop", "dt" and "saveper" at time ``t``.
    The start is the value of the start setting at the start (found by iteration from
    ``start_guess``); then, as PySD's ``Time``, the run steps ``t += dt(t)`` while
    ``t + dt(t) * 1e-5 < stop(t)`` and saves the times where ``t - start`` is a multiple
    of ``saveper(t)`` (to ``dt(t) * 1e-5``).

    A grid of more than `MAX_STEPS` steps raises `TimeSettingsError` naming the settings
    that make it so long (``names``: label of each setting that varies -> the variable
    that computes it): at once when neither the step nor the stop varies (the count is
    known), otherwise when the walk reaches the limit (say, a FINAL TIME that recedes with
    TIME).

    Returns
    -------
    times, dts : numpy.ndarray
        Every step's time and its step size (the last one: the step size read there).
    save : numpy.ndarray of bool
        Which steps are saved.

    Examples
    --------
    >>> def settings(t):
    ...     return {"start": 0.0, "stop": 3.0, "dt": 1.0 if t < 1 else 0.5, "saveper": 1.0}
    >>> times, dts, save = time_grid(settings, 0.0)
    >>> times.tolist(), times[save].tolist()
    ([0.0, 1.0, 1.5, 2.0, 2.5, 3.0], [0.0, 1.0, 2.0, 3.0])
    >>> time_grid(lambda t: {"start": 0.0, "stop": 1e9, "dt": 1.0, "saveper": 1.0}, 0.0)
    Traceback (most recent call last):
    ...
    sdflow.errors.TimeSettingsError: the time settings make more than 10000000 steps: at \
time 0 TIME STEP is 1 and FINAL TIME is 1e+09, 1e+09 more steps after 1; make TIME STEP \
larger or FINAL TIME closer
    """
    names = names or {}
    t0 = float(start_guess)
    for _ in range(50):
        first = settings(t0)["start"]
        if first == t0:
            break
        t0 = first
    else:
        raise TimeSettingsError("the start time (INITIAL TIME) depends on TIME and has no "
                                "consistent value: its value at its own value differs; make "
                                "it a number", ("start",))
    times, dts, save = array("d"), array("d"), array("b")
    t = t0
    first = None
    # with a fixed step and stop the number of steps is known at once; settings that vary
    # may still shorten the run later, so those are walked to the limit
    known = "dt" not in names and "stop" not in names
    while True:
        s = settings(t)
        dt, stop, saveper = s["dt"], s["stop"], s["saveper"]
        for label, value in (("dt", dt), ("saveper", saveper)):
            if not math.isfinite(value) or value <= 0:
                raise TimeSettingsError(f"the time setting {label} ({VENSIM[label]}) is "
                                        f"{value} at time {t:g}; it must stay a positive "
                                        "number", (label,))
        if not math.isfinite(stop):
            raise TimeSettingsError(f"the time setting stop (FINAL TIME) is {stop} at time "
                                    f"{t:g}; it must stay a finite number", ("stop",))
        first = first or (t, s)
        delay = t - t0
        prec = dt * RPREC
        times.append(t)
        dts.append(dt)
        save.append(delay % saveper < prec or -delay % saveper < prec)
        if not t + prec < stop:
            break
        if len(times) > MAX_STEPS or (known and len(times) + (stop - t) / dt > MAX_STEPS):
            raise _endless(first, (t, s), len(times), names)
        t = t + dt
    return (np.frombuffer(times, dtype=float), np.frombuffer(dts, dtype=float),
            np.frombuffer(save, dtype=np.int8).astype(bool))


def _endless(first, now, steps: int, names: dict[str, str]) -> TimeSettingsError:
    """The error of a grid past `MAX_STEPS`, naming the settings that make it so long."""
    (t0, s0), (t, s) = first, now
    def label(key):
        name = names.get(key)
        return f"{VENSIM[key]} ('{name}')" if name and name != VENSIM[key] else VENSIM[key]

    if "stop" in names and s["stop"] > s0["stop"]:
        culprits = ("stop",)
        detail = (f"{label('stop')} went from {s0['stop']:g} at time {t0:g} to {s['stop']:g} "
                  f"at time {t:g}, keeping ahead of TIME ({label('dt')} {s['dt']:g}); make "
                  "FINAL TIME a number or let it stop growing with TIME")
    else:
        culprits = tuple(k for k in ("dt", "stop") if k in names) or ("dt", "stop")
        remaining = (s["stop"] - t) / s["dt"]
        detail = (f"at time {t:g} {label('dt')} is {s['dt']:g} and {label('stop')} is "
                  f"{s['stop']:g}, {remaining:.3g} more steps after {steps}; make TIME STEP "
                  "larger or FINAL TIME closer")
    return TimeSettingsError(f"the time settings make more than {MAX_STEPS} steps: {detail}",
                             tuple(names.get(k, k) for k in culprits))


def check_settings(graph, settings: dict[str, str]) -> None:
    """Refuse settings that read the state (stocks, flows, initial values, delays): those
    would make the grid depend on the run, which sdflow cannot precompute."""
    for label, key in settings.items():
        seen, todo = set(), [key]
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            node = graph.nodes[k]
            if node.kind not in ("aux", "const", "data"):
                raise TimeSettingsError(
                    f"the time setting {label} ({graph.nodes[key].name}) depends on "
                    f"{node.kind} '{node.name}'; time settings that change during a run may "
                    "depend only on TIME and constants", (graph.nodes[key].name,))
            for expr in node.expressions().values():
                todo.extend(references(expr))
            if node.init_equation is not None:
                todo.extend(references(node.init_equation))
    if "dt" in settings:
        delays = [n.name for n in graph.nodes.values() if n.kind == "pipeline"]
        if delays:
            raise TimeSettingsError(
                f"DELAY FIXED ({delays[0]}) needs a fixed time step, but the time step "
                f"({graph.nodes[settings['dt']].name}) changes with TIME; make TIME STEP a "
                "number", (delays[0],))


def _settings_reader(graph, values, n, settings, fixed):
    """``settings(t)`` for `time_grid`: the varying settings computed by the model itself.

    Single runs of models without dimensions read them with plain floats (the grid of a
    long run is read step by step); a Python math error there (1/0) rereads that step on
    numpy arrays, whose NaN or inf `time_grid` then reports.
    """
    keys = tuple(dict.fromkeys(settings.values()))
    position = {label: keys.index(key) for label, key in settings.items()}

    def evaluator(scalar):
        compiled = compiled_for(graph, tuple(values), scalar=scalar, outputs=keys)
        P = compiled.parameter_matrix(values, n)
        P = P[0].tolist() if scalar else P
        mem = {"dt": fixed["dt"]}
        with np.errstate(all="ignore"):
            y = compiled.initialize(fixed["start"], P, mem, n)
        return lambda t: compiled.evaluate(t, y, P, dict(mem), 0, True, True)[1]

    def read_batched(t):
        with np.errstate(all="ignore"):
            out = batched(t)
        found = dict(fixed)
        for label, key in settings.items():
            value = np.asarray(out[position[label]], float).ravel()  # one value or one a run
            if value.size > 1 and (value != value[0]).any():
                raise TimeSettingsError(
                    f"the time setting {label} ({graph.nodes[key].name}) differs between "
                    "runs; runs of one call share their time steps, so do not vary the "
                    "constants it reads per run", (graph.nodes[key].name,))
            found[label] = float(value[0])
        return found

    def read_scalar(t):
        try:
            out = scalar(t)
            found = dict(fixed)
            for label, i in position.items():
                found[label] = float(out[i])
            return found
        except (ArithmeticError, ValueError, TypeError):
            return read_batched(t)

    batched = evaluator(False)
    if n == 1 and all(not nd.dims and nd.kind != "pipeline" for nd in graph.nodes.values()):
        scalar = evaluator(True)
        return read_scalar
    return read_batched


def simulate_varying(graph, params, n, options: RunOptions) -> Results:
    """`simulate` for a model graph with time settings that change with TIME."""
    method, variables, seed, on_error, backend = (options.method, options.variables,
                                                  options.seed, options.on_error,
                                                  options.backend)
    fixed = {"start": graph.start, "stop": graph.stop, "dt": graph.dt,
             "saveper": graph.saveper}
    overrides = {"start": options.start, "stop": options.stop, "dt": options.dt,
                 "saveper": options.saveper}
    settings = {}
    for label in LABELS:
        if overrides[label] is not None:  # a number given for this run replaces the setting
            value = overrides[label]
            if not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not np.isfinite(value):
                raise TimeSettingsError(f"{label}={value!r} must be a finite number", (label,))
            fixed[label] = float(value)
        elif label in graph.time_settings:
            settings[label] = graph.time_settings[label]
    if method not in FIXED_STEP:
        raise OptionError(f"method={method!r}: model '{graph.name}' has time settings that "
                          f"change with TIME ({', '.join(VENSIM[k] for k in settings)}), "
                          f"which the fixed-step methods {' and '.join(map(repr, FIXED_STEP))}"
                          " follow; use one of them", "method", method)
    if backend not in ("auto", "batched", "scalar"):
        raise OptionError(f"backend={backend!r}: model '{graph.name}' has time settings "
                          "that change with TIME, which only the 'auto', 'batched' and "
                          "'scalar' backends follow", "backend", backend)
    check_settings(graph, settings)
    values, n, varies = resolve_parameters(graph, params, n, seed)
    outputs = _outputs(graph, variables)
    grid = TimeGrid(*time_grid(_settings_reader(graph, values, n, settings, fixed),
                               fixed["start"],
                               {k: graph.nodes[v].name for k, v in settings.items()}))
    _check_memory(graph, n, int(grid.save.sum()), outputs, method, values)
    check_time_constants(graph, values, float(grid.dts.max()), method)
    plain = all(not nd.dims and nd.kind != "pipeline" for nd in graph.nodes.values())
    scalar = {"auto": n == 1 and plain, "batched": False, "scalar": True}[backend]
    if scalar and (n != 1 or not plain):
        raise OptionError("backend='scalar' runs one run of a model without dimensions; use "
                          "backend='batched' (or 'auto')", "backend", backend)
    compiled = compiled_for(graph, tuple(values), scalar=scalar, outputs=outputs)
    run = _Run(compiled, compiled.parameter_matrix(values, n), n, None, None, None, None,
               on_error, grid=grid, seed=noise_seed(seed, graph))
    try:
        times, saved, failed = run.fixed(FIXED_STEP[method]())
    except _ScalarPathFailure:  # the batched run names the variable that went non-finite
        compiled = compiled_for(graph, tuple(values), scalar=False, outputs=outputs)
        run = _Run(compiled, compiled.parameter_matrix(values, n), n, None, None, None,
                   None, on_error, grid=grid, seed=noise_seed(seed, graph))
        times, saved, failed = run.fixed(FIXED_STEP[method]())

    constants = {k: np.broadcast_to(v, (n,) + graph.nodes[k].shape) for k, v in values.items()}
    keep_run = n > 1 or varies
    attrs = {"model": graph.name, "method": method, "dt": float(grid.dts[0]),
             "saveper": float(times[1] - times[0]) if len(times) > 1 else fixed["saveper"],
             "n_runs": n, "time_units": graph.time_units or "",
             "time_settings": ", ".join(VENSIM[k] for k in settings)}
    dataset = build_dataset(graph, times, saved, constants, n, keep_run, attrs)
    if failed.any():
        dataset["failed"] = ("run", failed) if keep_run else ((), bool(failed[0]))
    return Results(dataset)
