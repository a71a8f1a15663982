"""The frozen model graph's parts: nodes and references between them."""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..expr.nodes import Expr


class NodeRef(Expr):
    """A resolved reference from one node's equation to another node of the graph."""

    __slots__ = ("key",)

    def __init__(self, key: str):
        self.key = key

    def __repr__(self):
        return f"<{self.key}>"


@dataclass(eq=False)
class Node:
    """One variable of the graph: declared by the modeller, or hidden (made by lowering).

    ``kind`` is one of ``const``, ``data``, ``stock``, ``flow``, ``aux``, ``initial``
    (a value frozen at the start of the run) or ``pipeline`` (DELAY FIXED).
    """

    key: str
    name: str
    kind: str
    declared_dims: tuple | None = None
    units_text: str | None = None
    doc: str = ""
    hidden: bool = False
    equation: Expr | None = None          # aux, flow; pipeline input; initial input
    initial: Expr | None = None           # stock, pipeline (value before the delay has passed)
    rate: Expr | None = None              # stock: d/dt
    delay_time: Expr | None = None        # pipeline
    value: np.ndarray | None = None       # const
    times: np.ndarray | None = None       # data
    series: np.ndarray | None = None      # data
    inflows: list[str] = field(default_factory=list)
    outflows: list[str] = field(default_factory=list)
    source: Any = None                    # the DSL variable it came from
    dims: tuple = ()                      # resolved by the dimension pass
    units: Any = None                     # resolved by the unit pass (pint Unit or None)
    units_like: Expr | None = None        # hidden stock: has the units of this expression
    init_equation: Expr | None = None     # ACTIVE INITIAL aux: its value while initialising
    owner: str | None = None              # hidden: the variable whose builtin made it

    def expressions(self) -> dict[str, Expr]:
        """The expressions of this node, by role."""
        parts = {"equation": self.equation, "initial": self.initial, "rate": self.rate,
                 "delay time": self.delay_time}
        return {k: v for k, v in parts.items() if v is not None}

    @property
    def is_state(self) -> bool:
        """Known at the start of every step (stocks, frozen initials, pipeline outputs)."""
        return self.kind in ("stock", "initial", "pipeline")

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d) for d in self.dims)

    @property
    def size(self) -> int:
        return math.prod(len(d) for d in self.dims)  # np.prod costs 5 us a call
