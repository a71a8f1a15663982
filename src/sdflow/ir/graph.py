"""`ModelGraph`: the checked, frozen form of a model that every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from ..expr.nodes import Call, Noise, walk
from ..expr.builtins import DISCRETE_FUNCTIONS
from ..errors import AlgebraicLoopError, MissingInitialValueError, ModelError
from .dims import DimensionPass
from .lowering import Lowering
from .nodes import Node
from .order import dependency_order, references
from .report import CheckReport
from .units import UnitPass


@dataclass(frozen=True)
class ModelGraph:
    """A model as checked nodes in dependency order.

    ``nodes`` maps keys (normalised names) to `Node`s, declared and hidden. ``flow_order``
    lists the nodes computed at every evaluation (auxiliaries, flows, pipeline inputs) in
    the order they can be computed; ``init_order`` lists every node in the order the first
    time step needs them. ``stocks`` are the keys of integrated states.
    ``start``, ``stop``, ``dt``, ``saveper`` and ``time_units`` are the time settings, and
    ``time_settings`` maps those that change with TIME (``"start"``, ``"stop"``, ``"dt"``,
    ``"saveper"``) to the key of the node computing them, so a run needs nothing but the
    graph. ``memo`` holds what later stages derive from the graph and keep as long as it
    lives (the compile cache, `sdflow.compile.cache`); every graph gets its own, also one
    made by ``dataclasses.replace``. Made by `Model.graph`.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("decay", start=0, stop=4, dt=1)
    >>> x = m.stock("x", initial=100.0)
    >>> _ = m.flow("out", m.const("k", 0.1) * x, source=x)
    >>> g = m.graph()
    >>> g.stocks, g.flow_order, list(g.nodes), g.dt
    (('x',), ('out',), ['x', 'k', 'out'], 1.0)
    """

    name: str
    start: float
    stop: float
    dt: float
    saveper: float
    time_units: str | None
    nodes: MappingProxyType
    dimensions: MappingProxyType
    lookups: MappingProxyType
    flow_order: tuple[str, ...]
    init_order: tuple[str, ...]
    stocks: tuple[str, ...]
    discrete: tuple[str, ...]
    warnings: tuple[str, ...]
    #: delay and smooth times given as numbers or constants (`ir.time_constants`)
    time_constants: tuple = ()
    #: settings that change with TIME: "start"/"stop"/"dt"/"saveper" -> node key
    time_settings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    #: the seed of random draws in runs given none (Vensim's NOISE SEED; None: its default)
    noise_seed: int | None = None
    #: derived artefacts by stage (compiled code): fresh per graph, never copied
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def node(self, name: str) -> Node:
        from ..names import name_key
        return self.nodes[name_key(name)]

    @property
    def has_discrete(self) -> bool:
        """True if some builtin jumps in time (STEP, PULSE, RAMP, DELAY FIXED...)."""
        return bool(self.discrete)

    @property
    def noise(self) -> tuple[str, ...]:
        """Keys of the hidden variables that hold random draws (RANDOM functions)."""
        return tuple(k for k, n in self.nodes.items() if isinstance(n.equation, Noise))


def check_model(model) -> CheckReport:
    """Run every check on ``model`` and report all problems (see `Model.check`)."""
    report, _ = _analyse(model)
    return report


def build_graph(model) -> ModelGraph:
    """The model's `ModelGraph`; raises the model's problems (all of them) if any.

    ``model`` is read as plain declarations (see `sdflow.ir.lowering`): its ``name``, time
    settings (``start``, ``stop``, ``dt``, ``saveper``, ``time_units``, ``time_settings``),
    ``variables`` and ``dimensions``.
    """
    report, graph = _analyse(model)
    report.raise_errors()
    return graph


def _analyse(model) -> tuple[CheckReport, ModelGraph | None]:
    report = CheckReport(model.name)
    lowering = Lowering(model)
    lowering.run()
    report.errors += lowering.errors
    nodes = lowering.nodes

    for node in nodes.values():
        if node.kind == "stock" and node.initial is None:
            report.errors.append(MissingInitialValueError(
                f"stock '{node.name}' has no initial value; give initial= (a number, one "
                "value per element, or an expression)", (node.name,)))

    dims = DimensionPass(nodes)
    dims.run()
    report.errors += dims.errors
    units = UnitPass(nodes, model.time_units)
    units.run()
    report.errors += units.errors

    # Evaluation order within a time step: states are known, everything else is computed.
    dynamic = [k for k, n in nodes.items() if n.kind in ("aux", "flow", "data")]
    flow_deps = {k: [d for d in references(nodes[k].equation) if d in dynamic]
                 for k in dynamic}
    flow_order, loops = dependency_order(flow_deps)
    for cycle in loops:
        names = [nodes[k].name for k in cycle]
        report.errors.append(AlgebraicLoopError(
            f"algebraic loop: {' -> '.join(names)}; each needs the next at the same time. "
            "Break it with a stock, a delay (sf.delay1/sf.smooth) or an initial value "
            "(sf.initial)", tuple(dict.fromkeys(names))))

    # Start of the run: stocks, frozen initials and pipelines need their initial values.
    init_deps = {}
    for key, node in nodes.items():
        if node.kind == "stock":
            parts = [node.initial]
        elif node.kind == "pipeline":
            parts = [node.initial, node.delay_time]
        elif node.init_equation is not None:  # ACTIVE INITIAL
            parts = [node.init_equation]
        else:
            parts = [node.equation]
        init_deps[key] = [d for p in parts for d in references(p)]
    init_order, init_loops = dependency_order(init_deps)
    if not loops:
        for cycle in init_loops:
            names = [nodes[k].name for k in cycle]
            report.errors.append(AlgebraicLoopError(
                f"initialisation loop: {' -> '.join(names)}; the initial values need each "
                "other. Give one stock a numeric initial value", tuple(dict.fromkeys(names))))

    report.warnings += _warnings(nodes, lowering.lookups, lowering.used)
    if report.errors:
        return report, None

    discrete = [k for k, n in nodes.items() if n.kind == "pipeline" or any(
        isinstance(e, Call) and e.func in DISCRETE_FUNCTIONS
        for part in n.expressions().values() for e in walk(part))]
    pipeline_keys = [k for k, n in nodes.items() if n.kind == "pipeline"]
    graph = ModelGraph(
        name=model.name, start=model.start, stop=model.stop, dt=model.dt,
        saveper=model.saveper, time_units=model.time_units,
        nodes=MappingProxyType(nodes), dimensions=MappingProxyType(model.dimensions),
        lookups=MappingProxyType(dict(lowering.lookups)),
        flow_order=tuple(flow_order) + tuple(pipeline_keys),
        init_order=tuple(init_order),
        stocks=tuple(k for k, n in nodes.items() if n.kind == "stock"),
        discrete=tuple(discrete), warnings=tuple(report.warnings),
        time_constants=tuple(lowering.time_constants),
        time_settings=MappingProxyType(dict(getattr(model, "time_settings", {}))),
        noise_seed=getattr(model, "noise_seed", None))
    return report, graph


def _warnings(nodes: dict[str, Node], lookups: dict, used: set[str]) -> list[str]:
    out = []
    for node in nodes.values():
        if node.hidden:
            continue
        if node.kind in ("const", "aux", "data") and node.key not in used \
                and not node.name.endswith(" initial"):
            out.append(f"'{node.name}' is not used by any other variable")
        if node.kind == "const" and node.units_text is None:
            out.append(f"constant '{node.name}' has no units; declare units= so the unit "
                       "check can cover the equations that use it")
    for key, lookup in lookups.items():
        if key not in used:
            out.append(f"lookup '{lookup.name}' is not used by any other variable")
    return out


__all__ = ["ModelGraph", "build_graph", "check_model", "ModelError"]
