"""`precompile`: compile a model's numba code ahead, so that later runs use it.

``simulate(..., backend="auto")`` runs a model's numba code only when it is already
compiled on this machine (`sdflow.compile.numba_warm`), since compiling takes seconds to a
minute. `precompile` pays that once, on purpose (``sdflow compile MODEL`` on the command
line): afterwards every process's runs of the model with the same per-run parameters,
saved variables and method are compiled runs, for a load of a fraction of a second once
per process.
"""

from __future__ import annotations

from typing import Sequence

from ..compile.numba_backend import NumbaModel, check_numba_supports, numba_model, \
    require_numba
from ..errors import OptionError, ParameterError, UnsupportedBackendError
from ..names import name_key
from .simulate import _outputs, model_graph
from .solvers import FIXED_STEP


def precompile(model, params: Sequence[str] = (), *, method: str = "euler",
               variables: Sequence[str] | None = None) -> NumbaModel:
    """Compile ``model`` with numba now (or load its code from the disk cache), so that
    ``simulate`` with the default ``backend="auto"`` runs the compiled code from now on,
    in this process and in every later one on this machine.

    Parameters
    ----------
    model : Model, ModelGraph or CompiledModel
        What to compile, as for `simulate`.
    params : list of str
        The constants later runs set (``simulate(params=...)``): the compiled code reads
        them per run; the other constants are folded into it.
    method : {"euler", "heun", "rk4"}
        The fixed-step method of the later runs.
    variables : list of str, optional
        The variables later runs save (``simulate(variables=...)``; default: all).

    Returns
    -------
    NumbaModel
        With ``jit_seconds`` (the time spent compiling, or loading) and ``from_cache``
        (whether the code was loaded from the disk cache).

    Runs with other per-run parameters, variables or method are other code: compile those
    too, or they run on numpy. Raises `MissingBackendError` without numba,
    `UnsupportedBackendError` for a model numba does not run (DELAY FIXED, RANDOM
    functions, ALLOCATE BY PRIORITY, too many elements, time settings that change with
    TIME), `OptionError` for an adaptive
    method, `ParameterError` or `UnknownNameError` for a name that is not the model's.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=0.25)
    >>> x = m.stock("x", initial=1.0)
    >>> _ = m.flow("out", m.const("k", 0.2) * x, source=x)
    >>> compiled = sf.precompile(m, ["k"], method="rk4")  # doctest: +SKIP
    >>> compiled.jit_seconds > 0  # doctest: +SKIP
    True
    >>> runs = m.simulate(params={"k": [0.1, 0.2]}, method="rk4")  # compiled # doctest: +SKIP

    (skipped as a doctest: numba is optional, and compiling writes to the cache folder;
    the tests cover it when numba is installed)
    """
    graph = model_graph(model)
    if method not in FIXED_STEP:
        raise OptionError(f"method={method!r}: numba compiles the fixed-step methods "
                          f"{sorted(FIXED_STEP)}", "method", method)
    require_numba()
    if graph.time_settings:
        raise UnsupportedBackendError(
            f"model '{graph.name}' cannot be compiled ahead: its time settings "
            f"{sorted(graph.time_settings)} change with TIME, which only the numpy path "
            "follows (backend='auto' runs it there)", tuple(graph.time_settings.values()))
    try:
        check_numba_supports(graph)
    except UnsupportedBackendError as exc:
        reason = str(exc).replace("; use backend='auto'", "")
        raise UnsupportedBackendError(f"model '{graph.name}' cannot be compiled ahead: "
                                      f"{reason}; its runs take the numpy path (backend="
                                      "'auto'), which runs every model",
                                      exc.variables) from None
    if isinstance(params, str):
        params = [params]
    keys = []
    for name in params:
        key = name_key(name)
        node = graph.nodes.get(key)
        if node is None or node.kind != "const":
            constants = sorted(n.name for n in graph.nodes.values()
                               if n.kind == "const" and not n.hidden)
            raise ParameterError(f"params: '{name}' is not a constant of model "
                                 f"'{graph.name}'; constants are {constants[:20]}", (name,))
        keys.append(key)
    outputs = _outputs(graph, variables)
    compiled = numba_model(graph, tuple(sorted(set(keys))), outputs,
                           FIXED_STEP[method].tableau)
    return compiled.compile_now()
