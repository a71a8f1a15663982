"""A whole Euler run as one generated function, for the scalar (single-run) path.

On a small model the arithmetic of one step costs less than calling ``evaluate`` and
adding up lists of floats, so the scalar path also gets ``run_euler``: the time loop with
the state in local variables and the equations written inline. It computes exactly what
the general loop computes (the same expressions, ``stock + dt * rate``, ``t = start + k *
dt``), so results are identical. It does not diagnose: when a state or a saved value is
NaN, infinite or complex it returns None and the caller reruns the general loop, which
names the variable, run and time.
"""

from __future__ import annotations

from .module import ModuleWriter


def euler_source(writer: ModuleWriter) -> list[str]:
    """Source lines of ``run_euler(P, mem, start, dt, steps, save_every)``.

    It returns the saved rows (one tuple of output values per saved step), or None when a
    value went non-finite. Only for the scalar path, and not for models with DELAY FIXED
    (whose pipelines advance in ``evaluate``).
    """
    graph, names = writer.graph, writer.names
    nodes = graph.nodes
    needed = writer._needed_for_rates()
    stocks = [names[k] for k in writer.states]
    lines = ["def run_euler(P, mem, start, dt, steps, save_every):",
             '    """Every saved row of an Euler run, or None if a value went non-finite."""']
    lines += ["    " + line for line in writer._param_lines()]
    lines.append("    y = initialize(start, P, mem, 1)")
    if stocks:
        lines.append(f"    {', '.join(stocks)}, = y")
    for key, node in nodes.items():
        if node.kind == "initial":
            lines.append(f"    {names[key]} = {writer._memory(key)}")
    lines += ["    rows = []",
              "    keep = rows.append",
              "    for k in range(steps + 1):",
              "        t = start + k * dt"]
    if stocks:
        # a sum is NaN if a term is NaN or terms are infinite; complex if one is complex
        lines += [f"        check = {' + '.join(stocks)}",
                  "        if check - check != 0 or type(check) is complex:",
                  "            return None"]
    rest = []
    for key in graph.flow_order:
        if nodes[key].kind == "pipeline":
            continue
        if key in needed:
            lines.append("        " + writer._node_line(key))
        else:
            rest.append("            " + writer._node_line(key))
    outputs = [names[k] for k in writer.outputs]
    row = f"({', '.join(outputs)},)" if outputs else "()"
    lines += ["        if k % save_every == 0:"] + rest
    lines += [f"            row = {row}",
              "            check = sum(row)",
              "            if check - check != 0 or type(check) is complex:",
              "                return None",
              "            keep(row)",
              "        if k == steps:",
              "            break"]
    if stocks:
        rates = [writer.writer.write(nodes[k].rate).code for k in writer.states]
        updates = ", ".join(f"{s} + dt * ({r})" for s, r in zip(stocks, rates))
        lines.append(f"        {', '.join(stocks)} = {updates}")
    lines.append("    return rows")
    return lines
