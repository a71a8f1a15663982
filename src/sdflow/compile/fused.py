"""A whole fixed-step run as one generated function, for the scalar (single-run) path.

On a small model the arithmetic of one step costs less than calling ``evaluate`` and
adding up lists of floats, so the scalar path also gets a fused loop: the time loop of
`sdflow.compile.grid_loop` with the state in local variables and the equations written
inline. It computes exactly what the general loop of `sdflow.solve` computes (the same
expressions, the same tableau, the same grid), so results are identical. It does not
diagnose: when a state or a saved value is NaN, infinite or complex it returns None and
the caller reruns the general loop, which names the variable, run and time.
"""

from __future__ import annotations

from .grid_loop import grid_loop_lines
from .module import ModuleWriter


def fused_source(writer: ModuleWriter, tableau) -> list[str]:
    """Source lines of ``run_fixed(P, mem, _times, _dts, _save)`` for one tableau.

    It returns the saved rows (one tuple of output values per saved step), or None when a
    value went non-finite. ``mem["dt"]`` must hold the first step's size (``initialize``
    reads it). Only for the scalar path, and not for models with DELAY FIXED (whose
    pipelines advance in ``evaluate``).
    """
    graph, names = writer.graph, writer.names
    nodes = graph.nodes
    needed = writer._needed_for_rates()
    stocks = [names[k] for k in writer.states]
    lines = ["def run_fixed(P, mem, _times, _dts, _save):",
             '    """Every saved row of the run, or None if a value went non-finite."""']
    lines += ["    " + line for line in writer._param_lines()]
    lines.append("    _state = initialize(_times[0], P, mem, 1)")
    if stocks:
        lines.append(f"    {', '.join(stocks)}, = _state")
    for key, node in nodes.items():
        if node.kind == "initial":
            lines.append(f"    {names[key]} = {writer._memory(key)}")
    # Vensim holds STEP, PULSE and RAMP over a Runge-Kutta step (see `evaluate_source`)
    writer.writer.input_time = "t_input"
    try:
        flows = [key for key in graph.flow_order if nodes[key].kind != "pipeline"]
        stage = [writer._node_line(key) for key in flows if key in needed]
        rest = [writer._node_line(key) for key in flows if key not in needed]
        rates = [writer.writer.write(nodes[k].rate).code for k in writer.states]
    finally:
        writer.writer.input_time = "t"
    outputs = [names[k] for k in writer.outputs]
    save = [f"_row = ({', '.join(outputs)},)" if outputs else "_row = ()",
            "_check = sum(_row)",
            "if _check - _check != 0 or type(_check) is complex:",
            "    return None",
            "_rows.append(_row)"]
    lines += ["    _rows = []", "    _last = len(_times) - 1"]
    lines += ["    " + line for line in grid_loop_lines(tableau, stocks, stage, rest, rates,
                                                       save, "return None",
                                                       complex_check=True)]
    lines.append("    return _rows")
    return lines
