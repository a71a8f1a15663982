"""A model as HTML for notebooks: `Model._repr_html_` calls `model_html`.

The page lists the variables by kind (equation, units, dimensions, documentation), the
feedback loops of `sf.loops` when the model is small enough for them to come at once,
and the stock-and-flow diagram as inline SVG when Graphviz's ``dot`` is installed. All
model text goes through `html.escape`; the SVG comes from Graphviz, which escapes it.
A notebook display must not fail: a model that does not check shows its problems
instead of the loops and the diagram.
"""

from __future__ import annotations

from html import escape

from ..errors import SdflowError
from .equation_text import equation_text

#: models with more variables than this show no loops or diagram in their HTML (finding
#: loops may need a run and drawing a large model is slow); call `sf.loops` or
#: `sf.diagram` with a subset instead
SIZE_LIMIT = 60

_KINDS = [("stock", "Stocks"), ("flow", "Flows"), ("aux", "Auxiliaries"),
          ("const", "Constants"), ("lookup", "Lookups"), ("data", "Data series")]


def model_html(model, size_limit: int = SIZE_LIMIT) -> str:
    """The HTML that shows ``model`` in a notebook.

    Parameters
    ----------
    model : Model
        The model to show.
    size_limit : int
        Show loops and the diagram only for models of at most this many variables.

    Examples
    --------
    >>> from sdmodels.reference import sir
    >>> page = model_html(sir.build())
    >>> "<h4>Stocks (3)</h4>" in page, "contact infectivity" in page
    (True, True)
    """
    variables = model.variables
    parts = [f'<div class="sdflow-model"><h3>Model {escape(model.name)}</h3>',
             f"<p>{escape(_time_settings(model))}; {len(variables)} variables</p>"]
    for kind, title in _KINDS:
        chosen = [v for v in variables if v.kind == kind]
        if chosen:
            parts.append(f"<h4>{title} ({len(chosen)})</h4>")
            parts.append(_variable_table(chosen))
    if len(variables) > size_limit:
        parts.append(f"<p>Loops and diagram not shown for a model of more than "
                     f"{size_limit} variables: call <code>sf.loops(model)</code> and "
                     f"<code>sf.diagram(model, around=...)</code>.</p>")
    else:
        parts += _loops_and_diagram(model)
    parts.append("</div>")
    return "\n".join(parts)


def _time_settings(model) -> str:
    units = f" {model.time_units}" if model.time_units else ""
    return (f"time {model.start:g} to {model.stop:g}{units}, dt {model.dt:g}, "
            f"saved every {model.saveper:g}")


def _variable_table(variables) -> str:
    rows = ["<table><thead><tr><th>name</th><th>equation</th><th>units</th>"
            "<th>dimensions</th><th>documentation</th></tr></thead><tbody>"]
    for v in variables:
        dims = ", ".join(d.name for d in v.dims or ())
        cells = [v.name, _equation(v), v.units or "", dims, v.doc or ""]
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _equation(v) -> str:
    """What a variable is computed from, as a reader would write it."""
    import numpy as np

    if v.kind == "stock":
        flows = [f"+ {f.name}" for f in v.inflows] + [f"- {f.name}" for f in v.outflows]
        initial = equation_text(v.initial) if v.initial is not None else "none"
        return f"d/dt = {' '.join(flows) or '0'}; initial {initial}"
    if v.kind == "const":
        values = np.asarray(v.value, float).reshape(-1)
        return ", ".join(f"{x:g}" for x in values[:8]) + (", ..." if values.size > 8 else "")
    if v.kind == "lookup":
        return f"table of {len(v.x)} points, x from {min(v.x):g} to {max(v.x):g}"
    if v.kind == "data":
        return "series read from data"
    return equation_text(v.equation)


def _loops_and_diagram(model) -> list[str]:
    from .diagrams import diagram, dot_available
    from .loops import loops

    parts = []
    try:
        table = loops(model)
    except SdflowError as problem:
        return [f"<p>The model does not check, so no loops or diagram: "
                f"{escape(str(problem))}</p>"]
    parts.append(f"<h4>Feedback loops ({len(table)})</h4>")
    if len(table):
        rows = ["<table><thead><tr><th>loop</th><th>polarity</th><th>variables</th>"
                "</tr></thead><tbody>"]
        for row in table.itertuples():
            cells = [row.loop, row.polarity, " \u2192 ".join(row.variables)]
            rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        rows.append("</tbody></table>")
        parts.append("\n".join(rows))
    if dot_available():
        svg = diagram(model, kind="stock_flow", loops=False).pipe(format="svg")
        text = svg.decode("utf-8")
        # inline SVG: drop the XML declaration and DOCTYPE that precede <svg>
        parts.append(f'<h4>Stock and flow diagram</h4><div>{text[text.index("<svg"):]}</div>')
    else:
        parts.append("<p>Install Graphviz's <code>dot</code> program to see the "
                     "diagram.</p>")
    return parts
