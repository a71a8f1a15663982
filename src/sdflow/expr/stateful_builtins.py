"""The builtins with memory (smooths, delays, TREND, FORECAST, INITIAL), declared once.

Each is a `sdflow.expr.nodes.Stateful` node of one ``kind``; the model graph lowers it to
hidden stocks by its ``family`` (`sdflow.ir.lowering`), messages name it as modellers write
it (``vensim``), the XMILE writer prints its ``xmile`` function
(`sdflow.io.xmile_equations`). The DSL wrappers (`sdflow.dsl.stateful`) make the nodes;
`Stateful` refuses a kind missing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Optional


@dataclass(frozen=True)
class StatefulBuiltin:
    """One builtin with memory.

    Attributes
    ----------
    kind : str
        The ``kind`` of its `Stateful` nodes (``"smooth3"``).
    family : str
        How it is lowered: ``"smooth"`` (a chain of first-order smooths), ``"delay"`` (a
        chain of first-order material delays), ``"pipeline"`` (DELAY FIXED), ``"trend"``
        (an average, and the trend or forecast read from it), ``"initial"`` (a value
        frozen at the start) or ``"active_initial"`` (an auxiliary with its own initial
        equation).
    stages : int or None
        Number of first-order stages of a smooth or delay; None when the ``order`` argument
        gives it (the ``..._n`` builtins), 0 for the others.
    vensim : str
        How modellers write it (Vensim's name), for messages.
    xmile : str or None
        The XMILE function it is written as; None where XMILE has none.
    starts_at_initial : bool
        Its value while the model initialises is its initial value (its ``initial``
        argument, or its input when it has none).

    Examples
    --------
    >>> spec = STATEFUL["smooth3"]
    >>> spec.family, spec.stages, spec.vensim, spec.xmile
    ('smooth', 3, 'SMOOTH3', 'SMTH3')
    >>> STATEFUL["delay_n"].stages is None  # given by the order argument
    True
    """

    kind: str
    family: str
    stages: Optional[int]
    vensim: str
    xmile: Optional[str]
    starts_at_initial: bool = False

    def order(self, args: dict) -> int:
        """Number of first-order stages of a node with these arguments (its literal
        ``order`` for the ``..._n`` builtins).

        >>> from sdflow.expr.nodes import Literal
        >>> STATEFUL["smooth_n"].order({"order": Literal(4)}), STATEFUL["delay1"].order({})
        (4, 1)
        """
        return int(args["order"].value) if self.stages is None else self.stages


_STATEFUL = {spec.kind: spec for spec in (
    StatefulBuiltin("smooth", "smooth", 1, "SMOOTH", "SMTH1", starts_at_initial=True),
    StatefulBuiltin("smooth3", "smooth", 3, "SMOOTH3", "SMTH3", starts_at_initial=True),
    StatefulBuiltin("smooth_n", "smooth", None, "SMOOTH N", "SMTHN", starts_at_initial=True),
    StatefulBuiltin("delay1", "delay", 1, "DELAY1", "DELAY1", starts_at_initial=True),
    StatefulBuiltin("delay3", "delay", 3, "DELAY3", "DELAY3", starts_at_initial=True),
    StatefulBuiltin("delay_n", "delay", None, "DELAY N", "DELAYN", starts_at_initial=True),
    StatefulBuiltin("delay_fixed", "pipeline", 0, "DELAY FIXED", "DELAY",
                    starts_at_initial=True),
    StatefulBuiltin("trend", "trend", 0, "TREND", "TREND"),
    StatefulBuiltin("forecast", "trend", 0, "FORECAST", "FORCST"),
    StatefulBuiltin("initial", "initial", 0, "INITIAL", "INIT"),
    StatefulBuiltin("active_initial", "active_initial", 0, "ACTIVE INITIAL", None),
)}

#: kind -> `StatefulBuiltin`
STATEFUL = MappingProxyType(_STATEFUL)
