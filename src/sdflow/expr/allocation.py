"""The expression node of Vensim's ALLOCATE BY PRIORITY (made by `sf.allocate_by_priority`).

The compiler calls a batched runtime helper for it (`sdflow.compile.allocation`).
"""

from __future__ import annotations

from typing import Any

from .nodes import Expr, as_expr


class AllocateByPriority(Expr):
    """Vensim's ALLOCATE BY PRIORITY over one dimension (see `allocate_by_priority`).

    ``request`` and ``priority`` vary over ``dim``; ``width`` and ``supply`` must not (one
    allocation is made for each combination of the other dimensions).
    """

    __slots__ = ("request", "priority", "width", "supply", "dim")

    def __init__(self, request, priority, width, supply, dim: Any):
        self.request, self.priority = as_expr(request), as_expr(priority)
        self.width, self.supply = as_expr(width), as_expr(supply)
        self.dim = dim

    def children(self):
        return (self.request, self.priority, self.width, self.supply)

    def with_children(self, children) -> AllocateByPriority:
        return AllocateByPriority(*children, self.dim)

    def __repr__(self):
        args = ", ".join(map(repr, self.children()))
        return f"allocate_by_priority({args}, over={self.dim.name})"
