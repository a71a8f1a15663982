"""The explorer's sliders: one per constant of a model, with a range read from the model.

A constant's range is the one its documentation declares, written as an interval in
square brackets anywhere in its ``doc`` (``"share of joint projects funded [0, 1]"``).
Without one the range is a default around the value:

- a time (units the model's time units, value within the run), the run's span;
- a dimensionless value (units "1") between 0 and 1 (a share, a lever), 0 to 1;
- any other value, 0 to twice the value (twice to 0 if negative; -1 to 1 at zero).

Arrayed constants get one range per element and a common factor (0 to 2) that scales
all elements at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: An interval in square brackets, ``[0, 1]`` or ``[-0.5, 2.5e3]``.
_INTERVAL = re.compile(r"\[\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*,\s*"
                       r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*\]")
_DIMENSIONLESS = {"1", "dmnl", "dimensionless"}  # no units given: unknown, not 1
#: Range of the common factor of an arrayed constant.
FACTOR_RANGE = (0.0, 2.0)


@dataclass(frozen=True)
class Control:
    """A slider for one constant: its default, its range and what it is.

    ``default``, ``low`` and ``high`` are numbers for a scalar constant and nested lists
    shaped like the constant for an arrayed one; ``elements`` labels each element
    (``"capital[Anhui]"``) in the order of the flattened values.
    """

    name: str
    default: float | list
    low: float | list
    high: float | list
    units: str
    doc: str
    dims: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    documented: bool = False

    def as_json(self) -> dict:
        """The control as the page receives it."""
        return {"name": self.name, "default": self.default, "low": self.low,
                "high": self.high, "units": self.units, "doc": self.doc,
                "dims": list(self.dims), "elements": list(self.elements),
                "documented": self.documented, "factor_range": list(FACTOR_RANGE)}


def documented_range(doc: str) -> tuple[float, float] | None:
    """The interval ``[low, high]`` a constant's documentation declares, if any.

    Examples
    --------
    >>> documented_range("share of joint projects funded by the centre [0, 1]")
    (0.0, 1.0)
    >>> documented_range("elasticity, see Zhang (2008)") is None
    True
    """
    match = _INTERVAL.search(doc or "")
    if match is None:
        return None
    low, high = float(match.group(1)), float(match.group(2))
    return (low, high) if high > low else None


def default_range(value: float, units: str | None, time_units: str | None = None,
                  span: tuple[float, float] | None = None) -> tuple[float, float]:
    """A range around ``value`` for a constant that declares none (see the module).

    Examples
    --------
    >>> default_range(0.3, "1")
    (0.0, 1.0)
    >>> default_range(2025.0, "year", "year", (2004.0, 2050.0))
    (2004.0, 2050.0)
    >>> default_range(1e6, "person")
    (0.0, 2000000.0)
    >>> default_range(-0.2, "1/year")
    (-0.4, 0.0)
    """
    value = float(value)
    if span is not None and units and units == time_units and span[0] <= value <= span[1]:
        return float(span[0]), float(span[1])
    if units in _DIMENSIONLESS and 0 <= value <= 1:
        return 0.0, 1.0
    if value > 0:
        return 0.0, 2 * value
    if value < 0:
        return 2 * value, 0.0
    return -1.0, 1.0


def model_controls(model) -> list[Control]:
    """The sliders of ``model``: its constants, scalar ones first, in declaration order.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> controls = model_controls(bass.build())
    >>> [(c.name, c.low, c.high) for c in controls][:2]
    [('innovation', 0.0, 0.06), ('imitation', 0.0, 0.76)]
    """
    graph = model.graph()
    span = (float(model.start), float(model.stop))
    scalars, arrayed = [], []
    for node in graph.nodes.values():
        if node.kind != "const" or node.hidden:
            continue
        values = np.asarray(node.value, dtype=float)
        units = node.units_text or ""
        documented = documented_range(node.doc)
        if documented is not None:
            lows = np.full(values.shape, documented[0])
            highs = np.full(values.shape, documented[1])
        else:
            bounds = [default_range(v, node.units_text, model.time_units, span)
                      for v in values.ravel()]
            lows = np.array([b[0] for b in bounds]).reshape(values.shape)
            highs = np.array([b[1] for b in bounds]).reshape(values.shape)
        dims = tuple(d.name for d in node.dims)
        control = Control(node.name, values.tolist(), lows.tolist(), highs.tolist(), units,
                          node.doc, dims, element_labels(node), documented is not None)
        (arrayed if dims else scalars).append(control)
    return scalars + arrayed


def element_labels(node) -> tuple[str, ...]:
    """``name[a,b]`` for every element of ``node``, in the order of its flattened values.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> region = m.dim("region", ["north", "south"])
    >>> _ = m.const("rate", [0.1, 0.2], dims=[region])
    >>> element_labels(m.graph().nodes["rate"])
    ('rate[north]', 'rate[south]')
    """
    if not node.dims:
        return ()
    grids = np.meshgrid(*[np.arange(len(d)) for d in node.dims], indexing="ij")
    labels = []
    for index in zip(*(g.ravel() for g in grids)):
        parts = [str(d.elements[i]) for d, i in zip(node.dims, index)]
        labels.append(f"{node.name}[{','.join(parts)}]")
    return tuple(labels)
