"""Time settings that change with TIME (`Model.vary_time_settings`) in an XMILE file.

XMILE 1.0's ``<sim_specs>`` hold one number for each of start, stop and dt, which every
reader runs. Vensim (and PySD and sdflow) re-read their time settings at every step, so
a model whose settings change with TIME (the suite's control_vars: TIME STEP 1, then 0.5
from TIME 4; FINAL TIME 10, then 50 from TIME 5) runs another simulation than its
numbers at the initial time. `write_xmile` writes

- in ``<sim_specs>``, the values the settings take at the initial time (the run's first
  step): what readers that know nothing more run;
- and, in sdflow's own namespace (`NAMESPACE`; XMILE 1.0 lets a vendor add elements in
  its own namespace, as Stella's ``isee:`` ones), the equation of every setting, read as
  Vensim reads its control variables, at every step:

.. code-block:: xml

    <sim_specs method="Euler">
        <start>0</start>
        <stop>10</stop>
        <dt>1</dt>
        <sdflow:time_settings>
            <sdflow:start>(IF (TIME &lt; 3) THEN 0 ELSE 0.2)</sdflow:start>
            <sdflow:stop>(IF (TIME &lt; 5) THEN 10 ELSE 50)</sdflow:stop>
            <sdflow:dt>(IF (TIME &lt; 4) THEN 1 ELSE 0.5)</sdflow:dt>
            <sdflow:save_interval>(IF (TIME &lt; 10) THEN TIME_STEP ELSE 5)</sdflow:save_interval>
        </sdflow:time_settings>
    </sim_specs>

One child per setting, all four present, named as the ``<sim_specs>`` element it
overrides (``start``, ``stop``, ``dt``; ``save_interval`` as Stella's
``isee:save_interval``), its text an XMILE equation: a number for a setting that does not
change. The equations are those of Vensim's INITIAL TIME, FINAL TIME, TIME STEP and
SAVEPER, and read each other by those names: a setting's variable named so (as every
model read from Vensim names them) is written as its equation, any other as a reference
to its variable. XMILE readers built on PySD's translator (PySD, sdflow) drop auxiliaries
with those four names and make them from ``<sim_specs>``; `read_xmile` makes them from
this element instead (`sdflow.io.pysd_xmile`), and its importer then re-reads them along
the run as it does Vensim's. PySD and Simlin skip the element and run the numbers.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..dsl.variables import Aux
from ..errors import ImportModelError, UnsupportedFeatureError
from ..names import name_key
from .xmile_equations import xmile_name, xmile_number

__all__ = ["CONTROL_NAMES", "NAMESPACE", "add_time_settings", "initial_settings",
           "read_time_settings"]

#: sdflow's XML namespace for its XMILE extensions
NAMESPACE = "urn:sdflow:xmile"
#: `Model.time_settings` label -> the element that holds its equation
TAGS = {"start": "start", "stop": "stop", "dt": "dt", "saveper": "save_interval"}
#: `Model.time_settings` label -> Vensim's control variable (PySD's names for XMILE's too)
CONTROL_NAMES = {"start": "INITIAL TIME", "stop": "FINAL TIME", "dt": "TIME STEP",
                 "saveper": "SAVEPER"}


def initial_settings(model) -> dict[str, float]:
    """The values the time settings take at the initial time: ``start``, ``stop``, ``dt``
    and ``saveper``, from the first step of a run (the settings may read TIME and each
    other, and the start is the value of the start setting at itself).

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=4, dt=1)
    >>> m.vary_time_settings(dt=sf.if_then_else(m.time < 2, 1, 0.5),
    ...                      stop=sf.if_then_else(m.time < 1, 4, 3))
    >>> initial_settings(m)
    {'start': 0.0, 'stop': 4.0, 'dt': 1.0, 'saveper': 1.0}
    """
    names = {label: model[key].name for label, key in model.time_settings.items()}
    try:
        run = model.simulate(variables=sorted(set(names.values())))
    except Exception as exc:  # noqa: BLE001 - named in the refusal
        raise UnsupportedFeatureError(
            f"model '{model.name}': write_xmile writes the values its time settings "
            f"({', '.join(sorted(names.values()))}) take at the initial time in "
            f"<sim_specs>, from a run of the model, which fails: {exc}",
            *sorted(names.values())) from exc
    steps = len(run.dataset["time"])
    values = {"start": float(run.dataset["time"].values[0]), "stop": model.stop,
              "dt": model.dt, "saveper": model.saveper}
    for label, name in names.items():
        if label != "start":
            values[label] = float(run[name].values.reshape(steps, -1)[0, 0])
    return values


def add_time_settings(specs, model, printer) -> None:
    """The ``<sdflow:time_settings>`` element of ``model`` in ``specs`` (``<sim_specs>``):
    the equation of each setting (`EquationPrinter` ``printer``), a number for those that
    do not change."""
    node = ET.SubElement(specs, "sdflow:time_settings")
    for label, tag in TAGS.items():
        child = ET.SubElement(node, f"sdflow:{tag}")
        if label not in model.time_settings:
            child.text = xmile_number(getattr(model, label))
            continue
        var = model[model.time_settings[label]]
        if name_key(var.name) not in {name_key(n) for n in CONTROL_NAMES.values()}:
            child.text = xmile_name(var.name)  # its variable, written as any other
        elif isinstance(var, Aux) and getattr(var, "equation", None) is not None:
            printer.owner, printer.owner_dims = var.name, ()
            child.text = printer.at(None, var.equation)
        else:  # PySD-based readers drop a variable of that name: nothing could state it
            raise UnsupportedFeatureError(
                f"variable '{var.name}' gives the time setting {label} but is a "
                f"{var.kind}; a time setting named as Vensim's control variable must be "
                "an auxiliary with an equation to be written to XMILE", var.name)


def read_time_settings(path) -> dict[str, str]:
    """Vensim's control variable (``INITIAL TIME``...) -> its equation, from an XMILE
    file's ``<sdflow:time_settings>`` (empty without one).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.xmile"
    >>> _ = path.write_text('<xmile xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0" '
    ...     'xmlns:sdflow="urn:sdflow:xmile"><sim_specs><start>0</start><stop>4</stop>'
    ...     '<dt>1</dt><sdflow:time_settings><sdflow:dt>IF TIME &lt; 2 THEN 1 ELSE 0.5'
    ...     '</sdflow:dt></sdflow:time_settings></sim_specs></xmile>')
    >>> read_time_settings(path)
    {'TIME STEP': 'IF TIME < 2 THEN 1 ELSE 0.5'}
    """
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return {}  # the translator reports a file it cannot read
    labels = {tag: label for label, tag in TAGS.items()}
    found: dict[str, str] = {}
    for node in root.iter(f"{{{NAMESPACE}}}time_settings"):
        for child in node:
            tag = child.tag.rsplit("}", 1)[-1]
            if not child.tag.startswith(f"{{{NAMESPACE}}}") or tag not in labels:
                raise ImportModelError(
                    f"<sdflow:time_settings> holds <{tag}>; it holds the equation of "
                    f"each of {', '.join(f'<sdflow:{t}>' for t in TAGS.values())}",
                    file=path)
            if not (child.text or "").strip():
                raise ImportModelError(f"<sdflow:{tag}> is empty; write the setting's "
                                       "equation (a number if it does not change)",
                                       file=path)
            found[CONTROL_NAMES[labels[tag]]] = child.text.strip()
    return found
