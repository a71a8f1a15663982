"""The named variables of a model: constants, stocks, flows, auxiliaries, lookups, data.

Each is made by one statement on a `Model` (``m.const(...)``, ``m.stock(...)``...) and is
complete from then on. A variable is also an expression: using it in an equation refers to
its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import DimensionError, ModelError
from ..expr.nodes import Expr, LookupCall, Named, as_expr

if TYPE_CHECKING:  # pragma: no cover
    from .dimensions import Dimension
    from .model import Model


class Variable(Named):
    """Common part of every named model variable.

    Every variable has a ``name``, its ``model``, ``units`` (text or None), ``dims`` (a
    tuple of `Dimension`, or None) and ``doc``; it is an `Expr`, so it can be used in the
    equations of other variables.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> r = m.dim("region", ["a", "b"])
    >>> k = m.const("k", [1.0, 2.0], units="1/year", dims=[r], doc="rate")
    >>> k, k.kind, k.units, [d.name for d in k.dims]
    (Const('k'), 'const', '1/year', ['region'])
    """

    __slots__ = ("name", "model", "units", "dims", "doc")
    kind = "variable"

    def __init__(self, name: str, model: Model, units: str | None,
                 dims: Sequence[Dimension] | None, doc: str):
        self.name = name
        self.model = model
        self.units = units
        self.dims = None if dims is None else tuple(dims)
        self.doc = doc

    def equation_parts(self) -> dict[str, Expr]:
        """The expressions this variable is computed from, by role."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


def shape_value(name: str, value: Any, dims: tuple[Dimension, ...] | None) -> np.ndarray:
    """Turn a number, sequence, dict or pandas Series into an array shaped like ``dims``."""
    dims = dims or ()
    if isinstance(value, dict) or hasattr(value, "to_dict"):
        mapping = dict(value.to_dict() if hasattr(value, "to_dict") else value)
        if len(dims) != 1:
            raise DimensionError(
                f"'{name}': values given by element need exactly one dimension in dims=", (name,))
        dim = dims[0]
        unknown = [k for k in mapping if str(k) not in dim.elements]
        missing = [e for e in dim.elements if e not in {str(k) for k in mapping}]
        if unknown or missing:
            raise DimensionError(
                f"'{name}': values by element must name every element of '{dim.name}' once; "
                f"unknown {unknown}, missing {missing}", (name,))
        value = [mapping[k] for k in sorted(mapping, key=lambda k: dim.index(str(k)))]
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"'{name}': value {value!r} is not numeric", (name,)) from None
    shape = tuple(len(d) for d in dims)
    if array.shape == shape:
        return array
    if array.ndim == 0:
        return np.broadcast_to(array, shape).copy()
    dim_text = " x ".join(f"{d.name}({len(d)})" for d in dims) or "no dimensions"
    raise DimensionError(
        f"'{name}': value has shape {array.shape} but its dims are {dim_text}; give one "
        "value per element (or a single number for all)", (name,))


class Const(Variable):
    """A constant; can be overridden per run through ``simulate(params=...)``.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> y = m.aux("y", 2 * m.const("k", 1.0))
    >>> float(m.simulate()["y"][0]), float(m.simulate(params={"k": 3.0})["y"][0])
    (2.0, 6.0)
    """

    __slots__ = ("value",)
    kind = "const"

    def __init__(self, name, model, value, units=None, dims=None, doc=""):
        super().__init__(name, model, units, dims, doc)
        self.value = shape_value(name, value, self.dims)


class Stock(Variable):
    """A level, integrated from its inflows minus its outflows.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=3, dt=1)
    >>> tank = m.stock("tank", initial=10.0)
    >>> _ = m.flow("fill", 2.0, sink=tank)
    >>> _ = m.flow("drain", 1.0, source=tank)
    >>> m.simulate()["tank"].values.tolist()          # +2 - 1 each step
    [10.0, 11.0, 12.0, 13.0]
    """

    __slots__ = ("initial", "inflows", "outflows")
    kind = "stock"

    def __init__(self, name, model, initial, units=None, dims=None, doc=""):
        super().__init__(name, model, units, dims, doc)
        if initial is None or isinstance(initial, Expr):
            self.initial = initial
        elif np.ndim(initial) == 0 and not isinstance(initial, dict):
            self.initial = as_expr(initial)
        else:
            # an array of initial values becomes a hidden constant of the stock
            self.initial = model._initial_constant(self, initial)
        self.inflows: list[Flow] = []
        self.outflows: list[Flow] = []

    def equation_parts(self):
        return {} if self.initial is None else {"initial": self.initial}


class Flow(Variable):
    """A rate that drains ``source`` and fills ``sink`` (either may be omitted).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=2, dt=1)
    >>> a, b = m.stock("a", initial=10.0), m.stock("b", initial=0.0)
    >>> move = m.flow("move", 0.5 * a, source=a, sink=b)
    >>> run = m.simulate()
    >>> run["a"].values.tolist(), run["b"].values.tolist()
    ([10.0, 5.0, 2.5], [0.0, 5.0, 7.5])
    """

    __slots__ = ("equation", "source", "sink")
    kind = "flow"

    def __init__(self, name, model, equation, source=None, sink=None, units=None, dims=None,
                 doc=""):
        super().__init__(name, model, units, dims, doc)
        self.equation = as_expr(equation)
        for role, stock in (("source", source), ("sink", sink)):
            if stock is not None and not isinstance(stock, Stock):
                raise ModelError(
                    f"flow '{name}': {role}= must be a stock made with m.stock(), "
                    f"not {stock!r}", (name,))
        if source is None and sink is None:
            raise ModelError(
                f"flow '{name}' has neither source= nor sink=: connect it to at least one "
                "stock (or make it an m.aux)", (name,))
        self.source, self.sink = source, sink
        if source is not None:
            source.outflows.append(self)
        if sink is not None:
            sink.inflows.append(self)

    def equation_parts(self):
        return {"equation": self.equation}


class Aux(Variable):
    """An auxiliary: a named expression computed from other variables at each time.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=2, dt=1)
    >>> y = m.aux("y", 1 + m.time ** 2)
    >>> m.simulate()["y"].values.tolist()
    [1.0, 2.0, 5.0]
    """

    __slots__ = ("equation",)
    kind = "aux"

    def __init__(self, name, model, equation, units=None, dims=None, doc=""):
        super().__init__(name, model, units, dims, doc)
        self.equation = as_expr(equation)

    def equation_parts(self):
        return {"equation": self.equation}


class Data(Variable):
    """An exogenous series, interpolated linearly in time (held flat beyond its ends).

    Made by `Model.data`.

    Examples
    --------
    >>> import pandas as pd, sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> d = m.data("d", pd.Series([1.0, 3.0], index=[1.0, 3.0]))
    >>> m.simulate()["d"].values.tolist()
    [1.0, 1.0, 2.0, 3.0, 3.0]
    """

    __slots__ = ("times", "values")
    kind = "data"

    def __init__(self, name, model, times, values, units=None, dims=None, doc=""):
        super().__init__(name, model, units, dims, doc)
        times = np.asarray(times, dtype=float)
        values = np.asarray(values, dtype=float)
        shape = (len(times),) + tuple(len(d) for d in (self.dims or ()))
        if values.shape != shape:
            raise DimensionError(
                f"data '{name}': values have shape {values.shape}, expected {shape} "
                "(one row per time, one column per element)", (name,))
        if times.ndim != 1 or len(times) == 0 or np.any(np.diff(times) <= 0):
            raise ModelError(f"data '{name}': times must be a non-empty increasing sequence",
                             (name,))
        if not np.all(np.isfinite(values)):
            bad = times[~np.isfinite(values).reshape(len(times), -1).all(axis=1)]
            raise ModelError(
                f"data '{name}': missing or non-numeric values at times {bad.tolist()}; "
                "drop those rows or fill them before building the model", (name,))
        self.times, self.values = times, values


class Lookup:
    """A graphical function: ``y`` interpolated linearly at ``x``.

    Outside the table the ends are held (Vensim's default); ``extrapolate=True`` continues
    the first and last segments linearly instead. Call it on an expression to use it.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=10, dt=1)
    >>> effect = m.lookup("effect", x=[0, 5, 10], y=[0, 0.8, 1])
    >>> level = m.aux("level", effect(m.time))
    """

    kind = "lookup"

    def __init__(self, name, model, x, y, extrapolate=False, units=None, x_units=None, doc=""):
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or len(x) < 1:
            raise ModelError(f"lookup '{name}': x and y must be 1-D sequences of equal length "
                             f"(got {x.shape} and {y.shape})", (name,))
        if np.any(np.diff(x) < 0):
            raise ModelError(f"lookup '{name}': x must be non-decreasing", (name,))
        self.name, self.model, self.x, self.y = name, model, x, y
        self.extrapolate = bool(extrapolate)
        self.units, self.x_units, self.doc = units, x_units, doc
        self.dims = None

    def __call__(self, argument) -> LookupCall:
        return LookupCall(self, as_expr(argument))

    def __bool__(self):
        return True

    def __repr__(self):
        return f"Lookup({self.name!r})"
