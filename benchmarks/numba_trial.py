"""Trial: the scalar path's Euler loop compiled with numba (optional, not a dependency).

Generates, for a model without dimensions whose equations are plain arithmetic (no
lookups, data, INITIAL or time builtins), the same loop as ``sdflow.compile.fused`` but
writing saved values into a preallocated array, and compiles it with ``numba.njit``. Used
by ``single_run.py`` to measure whether a numba backend would pay for single runs.
"""

from __future__ import annotations

import time

import numpy as np

from sdflow.compile.compiled import default_outputs
from sdflow.compile.module import ModuleWriter


def numba_source(model) -> tuple[str, ModuleWriter] | None:
    """Source of ``run(start, dt, steps, save_every, out) -> rows``, or None if the model
    uses something this trial does not translate."""
    graph = model.graph()
    if any(n.dims for n in graph.nodes.values()):
        return None
    outputs = default_outputs(graph)
    w = ModuleWriter(graph, (), True, outputs)
    init = [line for line in w.initialize_source()[3:] if "return" not in line]
    loop = [w._node_line(k) for k in graph.flow_order]
    rates = [w.writer.write(graph.nodes[k].rate).code for k in w.states]
    if any("mem[" in line or "rt." in line for line in init + loop + rates):
        return None
    stocks = [w.names[k] for k in w.states]
    lines = ["def run(start, dt, steps, save_every, out):"] + init
    lines += ["    row = 0",
              "    for k in range(steps + 1):",
              "        t = start + k * dt"]
    lines += ["        " + line for line in loop]
    lines.append("        if k % save_every == 0:")
    lines += [f"            out[row, {j}] = {w.names[key]}" for j, key in enumerate(outputs)]
    lines += ["            row += 1",
              "        if k == steps:",
              "            break",
              f"        {', '.join(stocks)} = "
              + ", ".join(f"{s} + dt * ({r})" for s, r in zip(stocks, rates)),
              "    return row"]
    return "\n".join(lines) + "\n", w


def measure(model, repeats: int) -> dict | None:
    """Compile time and median run time of the numba loop, and its largest difference from
    sdflow's own scalar path; None when numba is missing or the model is not supported."""
    try:
        import numba
    except ImportError:
        return None
    made = numba_source(model)
    if made is None:
        return None
    source, writer = made
    namespace = dict(writer.namespace)
    exec(compile(source, f"<numba trial {model.name}>", "exec"), namespace)  # noqa: S102
    run = numba.njit(cache=False)(namespace["run"])
    graph = model.graph()
    steps = int(round((graph.stop - graph.start) / graph.dt))
    out = np.empty((steps + 1, len(writer.outputs)))
    begin = time.perf_counter()
    run(graph.start, graph.dt, steps, 1, out)  # the first call compiles
    compile_seconds = time.perf_counter() - begin
    timings = []
    for _ in range(repeats):
        begin = time.perf_counter()
        run(graph.start, graph.dt, steps, 1, out)
        timings.append(time.perf_counter() - begin)
    reference = model.simulate().dataset
    worst = max(float(np.max(np.abs(out[:, j] - reference[graph.nodes[k].name].values)))
                for j, k in enumerate(writer.outputs))
    return {"compile": compile_seconds, "run": float(np.median(timings)), "max_abs_diff": worst,
            "numba": numba.__version__}
