"""What the page sends: slider values and a policy year, checked against the model and
turned into a forecasting `Scenario`, so the explorer runs exactly what `sdflow forecast`
would run from the exported file."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..dsl.model import name_key
from ..dsl.variables import shape_value
from ..errors import ModelError, SdflowError
from ..forecasting.scenarios import PreparedScenario, Scenario, Step

#: Name of the scenario the current settings make (the baseline is the model's defaults).
SCENARIO_NAME = "explored"


class ExploreInputError(SdflowError, ValueError):
    """A request of the explorer page names an unknown constant, series or option, or has
    a value of the wrong kind; the message names it and says what is accepted."""


@dataclass(frozen=True)
class Settings:
    """Constant values that differ from the model's defaults, and when they apply.

    ``values`` maps constant names (as the model spells them) to arrays shaped like the
    constant. Without a ``policy_year`` they hold over the whole run; with one, the
    defaults hold until then and the new values from then on (a step, as a forecasting
    scenario's ``changes = [{ lever = ..., at = YEAR, to = ... }]``).
    """

    values: dict = field(default_factory=dict)
    policy_year: float | None = None

    def scenario(self) -> Scenario:
        """The forecasting scenario of these settings.

        Examples
        --------
        >>> s = Settings({"rate": np.array(0.05)}, policy_year=2025)
        >>> s.scenario().changes
        (Step(lever='rate', at=2025, to=array(0.05), scale=None),)
        """
        if self.policy_year is None:
            return Scenario(SCENARIO_NAME, description=self.description(),
                            levers=dict(self.values))
        return Scenario(SCENARIO_NAME, description=self.description(),
                        changes=[Step(name, at=self.policy_year, to=value)
                                 for name, value in self.values.items()])

    def prepare(self, model) -> PreparedScenario:
        """The model to simulate and the constants to pass as ``params``."""
        return self.scenario().prepare(model)

    def description(self) -> str:
        """One line for reports: what changed, and from when."""
        if not self.values:
            return "the model's defaults"
        names = ", ".join(self.values)
        when = "over the whole run" if self.policy_year is None else \
            f"from {self.policy_year:g} on"
        return f"{names} changed {when} (set in sdflow explore)"


def parse_settings(model, payload) -> Settings:
    """Check the page's ``{"values": {...}, "policy_year": ...}`` against ``model``.

    Values equal to the model's defaults are dropped, so a scenario names only what moved.

    Examples
    --------
    >>> from sdmodels.reference import bass
    >>> m = bass.build()
    >>> s = parse_settings(m, {"values": {"imitation": 0.5, "innovation": 0.03}})
    >>> {k: float(v) for k, v in s.values.items()}, s.policy_year
    ({'imitation': 0.5}, None)
    >>> parse_settings(m, {"values": {"imitaton": 0.5}})
    Traceback (most recent call last):
    ...
    sdflow.explore.settings.ExploreInputError: 'imitaton' is not a constant of model 'bass diffusion'; its constants are ['imitation', 'innovation', 'market size']
    """
    payload = payload or {}
    if not isinstance(payload, dict):
        raise ExploreInputError("settings must be a JSON object with 'values' and "
                                "'policy_year'")
    unknown = set(payload) - {"values", "policy_year"}
    if unknown:
        raise ExploreInputError(f"settings have unknown key(s) {sorted(unknown)}; known keys "
                                "are 'values' and 'policy_year'")
    raw = payload.get("values") or {}
    if not isinstance(raw, dict):
        raise ExploreInputError("'values' must map constant names to numbers (or lists of "
                                "numbers for arrayed constants)")
    constants = {k: n for k, n in model.graph().nodes.items()
                 if n.kind == "const" and not n.hidden}
    values = {}
    for name, value in raw.items():
        node = constants.get(name_key(name)) if isinstance(name, str) else None
        if node is None:
            raise ExploreInputError(
                f"{name!r} is not a constant of model '{model.name}'; its constants are "
                f"{sorted(n.name for n in constants.values())}")
        try:
            array = shape_value(node.name, value, node.dims)
        except (ModelError, TypeError, ValueError) as exc:
            raise ExploreInputError(f"value for '{node.name}': {exc}") from None
        if not np.all(np.isfinite(array)):
            raise ExploreInputError(f"value for '{node.name}' must be finite numbers")
        if not np.allclose(array, node.value, rtol=1e-12, atol=0):
            values[node.name] = array
    year = payload.get("policy_year")
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, (int, float)) or \
                not math.isfinite(year):
            raise ExploreInputError(f"policy_year must be a number (a time of the run) or "
                                    f"null, got {year!r}")
        if not model.start <= year <= model.stop:
            raise ExploreInputError(f"policy_year {year:g} is outside the run "
                                    f"({model.start:g} to {model.stop:g})")
        year = float(year)
    return Settings(values, year)
