"""`Model`: the object modellers build, one statement per variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import (DataError, DuplicateNameError, ModelError, SeedError,
                      TimeSettingsError)
from ..expr.nodes import Expr, Ref, Time
from ..names import name_key
from ..time_settings import STEP_TOLERANCE, validate_time_settings  # noqa: F401 - re-exported
from .dimensions import Dimension
from .variables import Aux, Const, Data, Flow, Lookup, Stock, Variable


class Model:
    """A stock-and-flow model, built one named variable at a time.

    Parameters
    ----------
    name : str
        Name of the model (used in results and error messages).
    start, stop : float
        First and last time of a run.
    dt : float
        Integration time step; ``stop - start`` must be a whole number of steps.
    time_units : str, optional
        Unit of time, e.g. ``"year"``; flows are checked to be stock units per this unit.
    saveper : float, optional
        Interval at which results are saved, at least ``dt`` (default ``dt``); when it is
        not a multiple of ``dt`` the step nearest to each multiple is saved, as in Vensim.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=10, dt=0.5, time_units="year")
    >>> k = m.const("rate", 0.1, units="1/year")
    >>> x = m.stock("x", initial=100, units="widget")
    >>> out = m.flow("outflow", k * x, source=x, units="widget/year")
    >>> round(float(m.simulate()["x"][-1]), 3)  # Euler: 100 * (1 - 0.1 * 0.5) ** 20
    35.849
    """

    def __init__(self, name: str, start: float = 0.0, stop: float = 100.0, dt: float = 1.0,
                 time_units: str | None = None, saveper: float | None = None):
        validate_time_settings(start, stop, dt, saveper)
        self.name = name
        self.start, self.stop, self.dt = float(start), float(stop), float(dt)
        self.saveper = float(saveper) if saveper is not None else self.dt
        self.time_units = time_units
        self._variables: dict[str, Variable | Lookup] = {}
        self._dimensions: dict[str, Dimension] = {}
        self._graph = None
        self.time: Expr = Time(self)
        """The simulation time (Vensim's TIME), usable in equations."""
        self.time_settings: dict[str, str] = {}
        """Settings that change with TIME: "start"/"stop"/"dt"/"saveper" -> variable key."""
        self._noise_seed: int | None = None

    @property
    def noise_seed(self) -> int | None:
        """The seed of the random draws (Vensim's NOISE SEED) of runs given no ``seed``;
        None: Vensim's default, 4487556. `read_vensim` sets it from a model's NOISE SEED.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("m", start=0, stop=3, dt=1)
        >>> _ = m.aux("u", sf.random_uniform(0, 1))
        >>> m.noise_seed = 7
        >>> bool((m.simulate()["u"].values == m.simulate(seed=7)["u"].values).all())
        True
        """
        return self._noise_seed

    @noise_seed.setter
    def noise_seed(self, seed) -> None:
        whole = isinstance(seed, (int, float, np.integer, np.floating)) \
            and not isinstance(seed, (bool, np.bool_)) and float(seed).is_integer()
        if seed is not None and (not whole or seed < 0):
            raise SeedError(f"model '{self.name}': noise_seed={seed!r} must be a whole "
                            "number >= 0 (or None for Vensim's default), e.g. 1234",
                            ("noise_seed",))
        self._noise_seed = None if seed is None else int(seed)
        self._graph = None

    # -- declarations ----------------------------------------------------------------
    def _require_new_name(self, name: str) -> str:
        key = name_key(name) if isinstance(name, str) else ""
        if not key:
            raise ModelError(f"a variable needs a non-empty string name, got {name!r}")
        if key in self._variables:
            raise DuplicateNameError(
                f"the name '{name}' is already used by {self._variables[key]!r}; "
                "give each variable its own name", (name,))
        return key

    def _add(self, variable):
        key = self._require_new_name(variable.name)
        self._variables[key] = variable
        self._graph = None
        return variable

    def _dims(self, dims) -> tuple[Dimension, ...] | None:
        if dims is None:
            return None
        if isinstance(dims, Dimension):
            dims = [dims]
        resolved = []
        for d in dims:
            dim = self._dimensions.get(d) if isinstance(d, str) else d
            if not isinstance(dim, Dimension) or dim.model is not self:
                raise ModelError(f"unknown dimension {d!r} in dims=; declare it first with "
                                 f"m.dim(name, elements)")
            resolved.append(dim)
        if len({d.name for d in resolved}) != len(resolved):
            raise ModelError(f"dims={[d.name for d in resolved]} repeats a dimension; for a "
                             "region x region table declare a second dimension (e.g. 'partner')")
        return tuple(resolved)

    def dim(self, name: str, elements: Sequence[Any]) -> Dimension:
        """Declare a named dimension (Vensim subscript range).

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("m", start=0, stop=1, dt=1)
        >>> region = m.dim("region", ["Beijing", "Tianjin", "Hebei"])
        """
        if name in self._dimensions:
            raise DuplicateNameError(f"dimension '{name}' is declared twice", (name,))
        dim = Dimension(name, elements, model=self)
        self._dimensions[name] = dim
        self._graph = None
        return dim

    def const(self, name: str, value: Any, units: str | None = None,
              dims: Sequence[Dimension] | None = None, doc: str = "") -> Const:
        """A constant: a number, or one value per element of ``dims``."""
        return self._add(Const(name, self, value, units, self._dims(dims), doc))

    def stock(self, name: str, initial: Any = None, units: str | None = None,
              dims: Sequence[Dimension] | None = None, doc: str = "") -> Stock:
        """A stock (level); ``initial`` is a number, per-element values, or an expression."""
        self._require_new_name(name)  # before a hidden "<name> initial" constant is made
        return self._add(Stock(name, self, initial, units, self._dims(dims), doc))

    def _initial_constant(self, stock: Stock, values) -> Const:
        return self.const(f"{stock.name} initial", values, units=stock.units, dims=stock.dims,
                          doc=f"initial value of stock '{stock.name}'")

    def flow(self, name: str, equation: Any, source: Stock | None = None,
             sink: Stock | None = None, units: str | None = None,
             dims: Sequence[Dimension] | None = None, doc: str = "") -> Flow:
        """A flow out of ``source`` and into ``sink`` (one of them may be omitted)."""
        return self._add(Flow(name, self, equation, source, sink, units, self._dims(dims), doc))

    def aux(self, name: str, equation: Any, units: str | None = None,
            dims: Sequence[Dimension] | None = None, doc: str = "") -> Aux:
        """An auxiliary variable computed from ``equation`` at every time."""
        return self._add(Aux(name, self, equation, units, self._dims(dims), doc))

    def lookup(self, name: str, x: Sequence[float], y: Sequence[float],
               extrapolate: bool = False, units: str | None = None,
               x_units: str | None = None, doc: str = "") -> Lookup:
        """A graphical function; call the result on an expression to use it."""
        return self._add(Lookup(name, self, x, y, extrapolate, units, x_units, doc))

    def data(self, name: str, source: Any, column: str | None = None,
             time_column: str | None = None, units: str | None = None,
             dims: Sequence[Dimension] | None = None, doc: str = "", *,
             times: Sequence[float] | None = None) -> Data:
        """An exogenous time series, interpolated linearly in time.

        ``source`` is a pandas Series indexed by time, a DataFrame indexed by time (with
        ``column=``, or one column per element of the single dimension in ``dims``), or the
        path of a CSV file whose first column (or ``time_column``) holds the times. With
        ``times=``, ``source`` is an array of values shaped ``(len(times), *dims)``: one
        row per time, any number of dimensions.

        Examples
        --------
        >>> import pandas as pd, sdflow as sf
        >>> m = sf.Model("m", start=2000, stop=2002, dt=1, time_units="year")
        >>> pop = m.data("population", pd.Series([10.0, 11.0, 12.5], index=[2000, 2001, 2002]))
        >>> region = m.dim("region", ["north", "south"])
        >>> sector = m.dim("sector", ["farm", "industry", "services"])
        >>> jobs = m.data("jobs", np.ones((2, 2, 3)), times=[2000, 2002], dims=[region, sector])
        >>> jobs.values.shape
        (2, 2, 3)
        """
        import pandas as pd

        dims = self._dims(dims)
        if times is not None:
            return self._add(self._data_from_arrays(name, times, source, column, time_column,
                                                    units, dims, doc))
        label = name
        if isinstance(source, (str, Path)):
            path = Path(source)
            if not path.exists():
                raise DataError(f"data '{name}': file {path} does not exist")
            try:
                frame = pd.read_csv(path)
            except Exception as exc:  # pandas raises many kinds
                raise DataError(f"data '{name}': cannot read {path} as CSV: {exc}") from exc
            tcol = time_column or frame.columns[0]
            if tcol not in frame.columns:
                raise DataError(f"data '{name}': {path} has no column '{tcol}'; "
                                f"columns are {list(frame.columns)}")
            source = frame.set_index(tcol)
            label = f"{name}' (file {path}"
        if isinstance(source, pd.DataFrame):
            if column is not None:
                if column not in source.columns:
                    raise DataError(f"data '{label}': no column '{column}'; columns are "
                                    f"{list(source.columns)}")
                source = source[column]
            elif dims and len(dims) == 1:
                missing = [e for e in dims[0].elements if e not in map(str, source.columns)]
                if missing:
                    raise DataError(f"data '{label}': no column for element(s) {missing} "
                                    f"of dimension '{dims[0].name}'")
                source = source.rename(columns=str)[list(dims[0].elements)]
            elif source.shape[1] == 1:
                source = source.iloc[:, 0]
            else:
                raise DataError(f"data '{label}': several columns {list(source.columns)}; "
                                "choose one with column=")
        if not isinstance(source, (pd.Series, pd.DataFrame)):
            raise DataError(f"data '{name}': expected a pandas Series/DataFrame or a CSV path, "
                            f"or an array with times=..., got {type(source).__name__}")
        values = source.apply(pd.to_numeric, errors="coerce") if isinstance(
            source, pd.DataFrame) else pd.to_numeric(source, errors="coerce")
        bad = np.asarray(values.isna()).reshape(len(values), -1).any(axis=1)
        if bad.any():
            raise DataError(f"data '{label}': missing or non-numeric values at times "
                            f"{list(source.index[bad])}; fill or drop those rows")
        try:
            times = np.asarray(source.index, dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"data '{label}': the time index {list(source.index[:3])}... "
                            "is not numeric") from None
        return self._add(Data(name, self, times, values.to_numpy(dtype=float), units, dims, doc))

    def _data_from_arrays(self, name, times, values, column, time_column, units, dims,
                          doc) -> Data:
        if column is not None or time_column is not None:
            raise DataError(f"data '{name}': column= and time_column= choose columns of a "
                            "table or CSV file; with times= the values are an array")
        arrays = []
        for label, given in (("times", times), ("values", values)):
            try:
                arrays.append(np.asarray(given, dtype=float))
            except (TypeError, ValueError):
                raise DataError(f"data '{name}': {label} must be numbers, got "
                                f"{type(given).__name__}") from None
        return Data(name, self, *arrays, units, dims, doc)

    def vary_time_settings(self, start: Any = None, stop: Any = None, dt: Any = None,
                           saveper: Any = None) -> None:
        """Let time settings change during the run, as Vensim's control variables may.

        Each setting is an expression of ``m.time`` and constants (or a variable holding
        one); it is re-read at every step, as Vensim and PySD re-read INITIAL TIME, FINAL
        TIME, TIME STEP and SAVEPER: the run steps by ``dt(t)`` while ``t < stop(t)`` and
        saves the steps ``t`` where ``t - start`` is a multiple of ``saveper(t)``. Settings
        left out keep the model's numbers. An expression that is not already a variable
        becomes an auxiliary named as in Vensim ("TIME STEP", "FINAL TIME"...), so it is
        saved with the results. Runs use Euler or RK4 (not rk45, not DELAY FIXED). A run
        may take at most ten million steps (``sdflow.solve.time_grid.MAX_STEPS``): settings
        that go past it, such as a FINAL TIME that recedes with TIME (``stop=m.time + 5``),
        raise `TimeSettingsError` naming the setting.

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("m", start=0, stop=4, dt=1)
        >>> x = m.stock("x", initial=0)
        >>> _ = m.flow("in", 1, sink=x)
        >>> step = sf.if_then_else(m.time < 2, 1, 0.5)
        >>> m.vary_time_settings(dt=step, saveper=step)
        >>> [float(t) for t in m.simulate()["x"].time]
        [0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0]
        """
        names = {"start": "INITIAL TIME", "stop": "FINAL TIME", "dt": "TIME STEP",
                 "saveper": "SAVEPER"}
        given = {"start": start, "stop": stop, "dt": dt, "saveper": saveper}
        for label, value in given.items():
            if value is None:
                continue
            if isinstance(value, Variable) and value.model is self \
                    and value.kind in ("aux", "data"):
                key = name_key(value.name)
            elif isinstance(value, (Expr, int, float, np.integer, np.floating)):
                key = name_key(self.aux(names[label], value).name)
            else:
                raise TimeSettingsError(f"vary_time_settings({label}=...): expected an "
                                        "expression of m.time and constants, or a number, got "
                                        f"{type(value).__name__}", (label,))
            self.time_settings[label] = key
        self._graph = None

    # -- access ----------------------------------------------------------------------
    def ref(self, name: str) -> Expr:
        """Refer to a variable by name, even one declared further down."""
        return Ref(name, self)

    def __getitem__(self, name: str):
        try:
            return self._variables[name_key(name)]
        except KeyError:
            raise KeyError(f"model '{self.name}' has no variable '{name}'") from None

    def __contains__(self, name: str) -> bool:
        return name_key(name) in self._variables

    @property
    def variables(self) -> list:
        """All declared variables (and lookups), in declaration order."""
        return list(self._variables.values())

    @property
    def dimensions(self) -> dict[str, Dimension]:
        """Declared dimensions by name."""
        return dict(self._dimensions)

    def __repr__(self):
        return (f"Model({self.name!r}, start={self.start}, stop={self.stop}, dt={self.dt}, "
                f"{len(self._variables)} variables)")

    def _repr_html_(self) -> str:
        """The model in a notebook: variables by kind, loops and diagram (small models)."""
        from ..analyse.display import model_html  # late-bound, like simulate()
        return model_html(self)

    # -- downstream stages -----------------------------------------------------------
    def graph(self):
        """The checked, frozen model graph (raises `ModelError` on problems)."""
        from ..ir.graph import build_graph
        if self._graph is None:  # declarations reset it; the graph itself is frozen
            self._graph = build_graph(self)
        return self._graph

    def check(self, raise_on_error: bool = True):
        """Run every structure, dimension and unit check and return a `CheckReport`.

        Every problem is reported at once. With ``raise_on_error`` (the default) errors
        raise: the one error itself, or a `ModelCheckError` listing all of them.
        Warnings (unused variables, constants without units) are in ``report.warnings``.
        """
        from ..ir.graph import check_model
        report = check_model(self)
        if raise_on_error:
            report.raise_errors()
        return report

    def compile(self, params: Sequence[str] = (), *, scalar: bool | None = None,
                outputs: Sequence[str] | None = None, backend: str = "numpy",
                method: str = "euler"):
        """Compile to a `CompiledModel` in which the constants ``params`` vary per run.

        Compiled forms are cached with the model's graph (`sdflow.compile.cache`), so
        repeated simulations with the same per-run parameters compile once. See
        `sdflow.compile_model` for ``scalar`` and ``outputs``.

        ``backend="numba"`` compiles the model's numba code ahead instead (or loads it
        from the disk cache) for ``method`` and the variables ``outputs``, and returns it:
        `sdflow.precompile`, after which runs with the default ``backend="auto"`` use it,
        in this process and later ones (``scalar`` does not apply).

        Examples
        --------
        >>> import sdflow as sf
        >>> m = sf.Model("decay", start=0, stop=4, dt=1)
        >>> x = m.stock("x", initial=100.0)
        >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
        >>> m.compile(["k"]).params
        ('k',)
        >>> m.compile(["k"], backend="numba", method="rk4").jit_seconds > 0  # doctest: +SKIP
        True
        """
        if backend == "numba":
            from ..solve.ahead import precompile
            return precompile(self, params, method=method, variables=outputs)
        if backend != "numpy":
            from ..errors import OptionError
            raise OptionError(f"backend={backend!r} is not a backend to compile for; choose "
                              "'numpy' (the generated numpy code) or 'numba'", "backend",
                              backend)
        from ..compile.cache import compiled_for
        return compiled_for(self.graph(), params, scalar=scalar, outputs=outputs)

    def simulate(self, params: dict | None = None, n: int | None = None, method: str = "euler",
                 saveper: float | None = None, variables: Sequence[str] | None = None,
                 seed: int | None = None, on_error: str = "raise", start: float | None = None,
                 stop: float | None = None, dt: float | None = None, rtol: float = 1e-6,
                 atol: float = 1e-9, backend: str = "auto", output: str = "results",
                 options=None):
        """Run the model: ``sdflow.simulate(model.graph(), ...)``, see there for the options.

        A late-bound shortcut from the modelling language down to the solver (as `graph`,
        `check` and `compile` are to their stages). Returns a `Results` whose
        ``.dataset`` is an ``xarray.Dataset``.
        """
        from ..solve.simulate import simulate
        return simulate(self, params=params, n=n, method=method, saveper=saveper,
                        variables=variables, seed=seed, on_error=on_error, start=start,
                        stop=stop, dt=dt, rtol=rtol, atol=atol, backend=backend,
                        output=output, options=options)
