"""The explorer's current settings as a forecast specification (TOML) that
``sdflow forecast`` reads (`sdflow.forecasting.spec`): the model, a baseline scenario, the
explored scenario and, when a fan chart was drawn, its uncertainty spread.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .settings import SCENARIO_NAME, ExploreInputError, Settings


def _text(value: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML escapes."""
    return json.dumps(value, ensure_ascii=False)


def _value(value) -> str:
    """A number, a string, a bool, a nested list or a table as TOML."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ExploreInputError(f"{value} cannot be written to a scenario file")
        return repr(float(value))
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_text(str(k))} = {_value(v)}"
                                for k, v in value.items()) + " }"
    raise ExploreInputError(f"{value!r} cannot be written to a scenario file")


def scenario_toml(settings: Settings, target: str, options: dict | None = None,
                  method: str = "euler", outputs: list[str] | None = None,
                  uncertain: dict | None = None, n: int = 1000, seed: int = 0) -> str:
    """A forecast specification with the baseline and the explored scenario.

    Parameters
    ----------
    settings : Settings
        The explorer's current settings: levers over the whole run, or steps from the
        policy year.
    target, options : str, dict
        The model, as ``sdflow explore`` was given it (MODULE:ATTR and ``--option``).
    outputs : list of str, optional
        Variables to save and report.
    uncertain : dict, optional
        Constant name -> ``(low, high)`` of a uniform distribution (the fan chart's
        spread).
    n, seed : int
        Runs per scenario and seed of the sampling design.

    Examples
    --------
    >>> import numpy as np
    >>> text = scenario_toml(Settings({"imitation": np.array(0.5)}),
    ...                      "sdmodels.reference.bass:build", outputs=["adopters"])
    >>> print(text.split("[scenarios.baseline]")[1].strip())
    description = "the model's defaults"
    <BLANKLINE>
    [scenarios.explored]
    description = "imitation changed over the whole run (set in sdflow explore)"
    levers = { "imitation" = 0.5 }
    """
    if not target:
        raise ExploreInputError("the explorer was started without a model target "
                                "(MODULE:ATTR), so a scenario file cannot name the model; "
                                "start it with sdflow explore MODULE:ATTR")
    lines = ["# Scenario exported by sdflow explore; run it with",
             "#   sdflow forecast THIS_FILE --out forecasts/explored", "",
             "[model]", f"target = {_text(target)}"]
    if options:
        lines.append(f"options = {_value(dict(options))}")
    lines += [f"method = {_text(method)}", "", "[forecast]", f"n = {int(n)}",
              f"seed = {int(seed)}"]
    if outputs:
        lines.append(f"outputs = {_value(list(outputs))}")
    if uncertain:
        lines += ["", "[uncertain]"]
        for name, (low, high) in uncertain.items():
            lines.append(f"{_text(name)} = {{ distribution = \"uniform\", "
                         f"low = {_value(float(low))}, high = {_value(float(high))} }}")
    lines += ["", "[scenarios.baseline]", f"description = {_text(Settings().description())}",
              "", f"[scenarios.{SCENARIO_NAME}]",
              f"description = {_text(settings.description())}"]
    if settings.policy_year is None:
        if settings.values:
            lines.append(f"levers = {_value(dict(settings.values))}")
    elif settings.values:
        changes = [{"lever": name, "at": settings.policy_year, "to": value}
                   for name, value in settings.values.items()]
        lines.append("changes = [")
        lines += [f"    {_value(change)}," for change in changes]
        lines.append("]")
    return "\n".join(lines) + "\n"
