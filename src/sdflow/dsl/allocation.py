"""Allocation builtins: sharing a limited supply among requests along a dimension.

``allocate_by_priority`` is Vensim's ALLOCATE BY PRIORITY. It builds one
`AllocateByPriority` node; the compiler calls a batched runtime helper
(`sdflow.compile.allocation`) that follows PySD's reading of Vensim's documented
algorithm (pysd 3.14 ``py_backend/allocation.py``).
"""

from __future__ import annotations

from ..errors import ModelError
from ..expr.allocation import AllocateByPriority
from ..expr.nodes import Expr
from .dimensions import Dimension

__all__ = ["AllocateByPriority", "allocate_by_priority"]


def allocate_by_priority(request, priority, width, supply, over: Dimension) -> Expr:
    """Share ``supply`` among the ``request`` of each element of ``over``, by ``priority``.

    Vensim's ALLOCATE BY PRIORITY: the highest priority is served first; a lower priority
    starts receiving once the ones above it have got ``(p_above - p) / width`` of their
    request (all of it when the gap is at least ``width``), after which each served
    element receives in proportion to its request until it is full. If the supply covers
    every request, each element gets its request. ``request`` and ``priority`` vary over
    ``over``; ``width`` (> 0) and ``supply`` (>= 0) may vary over other dimensions only.
    A negative request or supply, or a width that is not positive, gives NaN, which the
    run reports with the variable's name.

    Parameters
    ----------
    request, priority : expression
        What each element asks for (>= 0), and its priority; both vary over ``over``.
    width : expression or float
        The priority gap beyond which a lower priority only gets leftovers.
    supply : expression or float
        The amount to share.
    over : Dimension
        The dimension whose elements compete for the supply.

    Examples
    --------
    >>> import sdflow as sf
    >>> m = sf.Model("m", start=0, stop=1, dt=1)
    >>> shop = m.dim("shop", ["a", "b", "c"])
    >>> want = m.const("request", [10.0, 6.0, 3.0], dims=[shop])
    >>> rank = m.const("priority", [2.0, 4.0, 3.0], dims=[shop])
    >>> got = m.aux("allocation", sf.allocate_by_priority(want, rank, 3, 12, over=shop))
    >>> m.simulate()["allocation"].isel(time=0).values.round(4).tolist()
    [3.8462, 6.0, 2.1538]
    """
    if not isinstance(over, Dimension):
        raise ModelError(f"allocate_by_priority(..., over=...) takes a dimension made with "
                         f"m.dim(...), got {over!r}")
    return AllocateByPriority(request, priority, width, supply, over)
