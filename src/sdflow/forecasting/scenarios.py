"""Policy scenarios: lever values, time-varying changes and replaced exogenous series.

A `Scenario` is a plain description, valid for any model; `Scenario.prepare(model)` checks
it against the model (unknown names raise `SpecError` listing the valid ones) and returns
the model to simulate plus the constant values to pass to ``simulate(params=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from ..dsl.model import Model
from ..names import name_key
from ..dsl.variables import shape_value
from ..errors import ModelError, SpecError
from .intervention import ScenarioModel, data_graph, lever_path_graph


@dataclass(frozen=True)
class Step:
    """From time ``at`` on, ``lever`` is ``to`` (or ``scale`` times its value).

    Examples
    --------
    >>> Step("subsidy", at=2026, to=0.3)
    Step(lever='subsidy', at=2026, to=0.3, scale=None)
    """

    lever: str
    at: float
    to: Any = None
    scale: Any = None

    @property
    def window(self) -> tuple[float, float | None]:
        return float(self.at), None


@dataclass(frozen=True)
class Ramp:
    """``lever`` moves linearly from its value at ``start`` to ``to`` (or ``scale`` times
    its value) at ``end``, and stays there.

    Examples
    --------
    >>> Ramp("subsidy", start=2026, end=2030, scale=2.0).window
    (2026.0, 2030.0)
    """

    lever: str
    start: float
    end: float
    to: Any = None
    scale: Any = None

    @property
    def window(self) -> tuple[float, float | None]:
        return float(self.start), float(self.end)


@dataclass(frozen=True)
class SeriesOverride:
    """Exogenous data series ``series`` follows ``values`` at ``times`` (one row per time,
    one column per element); the original series is kept before ``times[0]``.

    Examples
    --------
    >>> import pandas as pd, sdflow as sf
    >>> m = sf.Model("m", start=2020, stop=2030, dt=1)
    >>> price = m.data("oil price", pd.Series([60.0, 60.0], index=[2020, 2030]))
    >>> shock = Scenario("shock", series=[SeriesOverride("oil price", [2025, 2026],
    ...                                                  [60.0, 90.0])])
    >>> shock.prepare(m).model.simulate()["oil price"].sel(time=2028).item()
    90.0
    """

    series: str
    times: Sequence[float]
    values: Any


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario checked against one model: simulate ``model`` with ``levers`` set.

    Made by `Scenario.prepare`; ``levers`` maps constant names to their values for the
    whole run, and ``model`` carries the time-varying changes.

    Examples
    --------
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model(0.02)
    >>> prepared = Scenario("high", levers={"rate": 0.05}).prepare(m)
    >>> prepared.name, {k: float(v) for k, v in prepared.levers.items()}
    ('high', {'rate': 0.05})
    >>> run = prepared.model.simulate(params=prepared.levers)
    >>> round(float(run["x"].sel(time=2030)), 4)       # 1.05**10
    1.6289
    """

    name: str
    model: Model
    levers: dict


@dataclass(frozen=True)
class Scenario:
    """A named policy scenario.

    Parameters
    ----------
    name : str
        Name used in results (the ``scenario`` coordinate) and on the command line.
    description : str
        One line saying what the scenario means, for reports.
    levers : mapping
        Constant name -> value for the whole run (a number, or one value per element).
    changes : sequence of `Step` / `Ramp`
        Time-varying changes of constants, applied in order.
    series : sequence of `SeriesOverride`
        Replaced exogenous data series.

    Examples
    --------
    >>> from sdflow.forecasting.examples import growth_model
    >>> m = growth_model(0.02)
    >>> fast = Scenario("fast", changes=[Step("rate", at=2025, to=0.05)])
    >>> run = fast.prepare(m).model.simulate()
    >>> round(float(run["x"].sel(time=2030)), 4)  # 1.02**5 * 1.05**5
    1.4091
    """

    name: str
    description: str = ""
    levers: Mapping[str, Any] = field(default_factory=dict)
    changes: Sequence[Step | Ramp] = ()
    series: Sequence[SeriesOverride] = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise SpecError(f"a scenario needs a non-empty name, got {self.name!r}")
        object.__setattr__(self, "levers", dict(self.levers))
        object.__setattr__(self, "changes", tuple(self.changes))
        object.__setattr__(self, "series", tuple(self.series))
        for change in self.changes:
            if not isinstance(change, (Step, Ramp)):
                raise SpecError(f"scenario '{self.name}': changes must be Step or Ramp, "
                                f"got {change!r}")
            if (change.to is None) == (change.scale is None):
                raise SpecError(f"scenario '{self.name}': change of '{change.lever}' needs "
                                "exactly one of to= (new value) or scale= (factor)")
            start, end = change.window
            if end is not None and not end > start:
                raise SpecError(f"scenario '{self.name}': ramp of '{change.lever}' ends at "
                                f"{end:g}, not after its start {start:g}")

    def prepare(self, model: Model) -> PreparedScenario:
        """Check the scenario against ``model``; the model to simulate and lever values."""
        graph = model.graph()
        constants = {k: n for k, n in graph.nodes.items() if n.kind == "const" and not n.hidden}
        levers = {}
        for name, value in self.levers.items():
            key = self._constant(name, constants, "levers")
            levers[constants[key].name] = self._values(name, value, constants[key])
        paths: dict[str, str] = {}
        counts: dict[str, int] = {}
        for change in self.changes:
            key = self._constant(change.lever, constants, "changes")
            node = constants[key]
            current = paths.get(key, key)
            counts[key] = counts.get(key, 0) + 1
            name = f"{node.name} path" + ("" if counts[key] == 1 else f" {counts[key]}")
            start, end = change.window
            to = None if change.to is None else self._values(change.lever, change.to, node)
            scale = None if change.scale is None else self._values(change.lever, change.scale,
                                                                   node)
            graph = lever_path_graph(graph, key, current, name, to, scale, start, end)
            paths[key] = name_key(name)
        for override in self.series:
            graph = self._override(graph, override)
        if graph is model.graph():
            return PreparedScenario(self.name, model, levers)
        return PreparedScenario(self.name, ScenarioModel(model, graph, self.name), levers)

    def _constant(self, name: str, constants: dict, where: str) -> str:
        key = name_key(name) if isinstance(name, str) else ""
        if key not in constants:
            valid = sorted(n.name for n in constants.values())
            raise SpecError(f"scenario '{self.name}': {where} names '{name}', which is not a "
                            f"constant (lever) of the model; valid levers are {valid}")
        return key

    def _values(self, name: str, value, node) -> np.ndarray:
        try:
            return shape_value(name, value, node.dims)
        except ModelError as exc:
            raise SpecError(f"scenario '{self.name}': value for '{name}': {exc}") from None

    def _override(self, graph, override: SeriesOverride):
        key = name_key(override.series)
        node = graph.nodes.get(key)
        if node is None or node.kind != "data":
            valid = sorted(n.name for n in graph.nodes.values() if n.kind == "data")
            raise SpecError(f"scenario '{self.name}': series '{override.series}' is not a data "
                            f"series of the model; data series are {valid}")
        times = np.asarray(override.times, dtype=float)
        values = np.asarray(override.values, dtype=float)
        shape = (len(times),) + node.shape
        if values.shape != shape and values.shape == (len(times),):
            values = np.broadcast_to(values.reshape((-1,) + (1,) * len(node.shape)), shape)
        if times.ndim != 1 or not len(times) or np.any(np.diff(times) <= 0) \
                or values.shape != shape or not np.all(np.isfinite(values)):
            raise SpecError(f"scenario '{self.name}': series '{override.series}' needs "
                            f"increasing times and finite values shaped {shape} (one row per "
                            f"time, one column per element), got {values.shape}")
        return data_graph(graph, key, times, values)


def select_scenarios(scenarios: Sequence[Scenario], names: Sequence[str] | None
                     ) -> list[Scenario]:
    """The scenarios called ``names`` (all of them if None), in the order given.

    Examples
    --------
    >>> s = [Scenario("baseline"), Scenario("reform")]
    >>> [x.name for x in select_scenarios(s, ["reform"])]
    ['reform']
    >>> select_scenarios(s, ["reforms"])
    Traceback (most recent call last):
    ...
    sdflow.errors.SpecError: unknown scenario(s) ['reforms']; valid scenarios are ['baseline', 'reform']
    """
    by_name = {s.name: s for s in scenarios}
    if len(by_name) != len(scenarios):
        raise SpecError("two scenarios share a name; give each its own")
    if names is None:
        return list(scenarios)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SpecError(f"unknown scenario(s) {unknown}; valid scenarios are "
                        f"{list(by_name)}")
    return [by_name[n] for n in names]
