"""Methods chosen by the type of the node they visit: how the passes over expression trees
dispatch (one method per kind of node instead of chains of ``isinstance``)."""

from __future__ import annotations

import functools
import types


class node_method:  # noqa: N801 - used as a decorator, like functools.singledispatchmethod
    """`functools.singledispatchmethod` on the type of the first argument, bound cheaply.

    Python 3.11's ``singledispatchmethod`` copies the function's metadata into a new
    wrapper at every attribute access, which took a sixth of the time to build World3's
    graph; here an access binds a method object and a call looks the type up in
    ``functools.singledispatch``'s cache.

    Examples
    --------
    >>> from sdflow.expr import nodes as ex
    >>> class Printer:
    ...     @node_method
    ...     def show(self, e):
    ...         return "?"
    ...     @show.register(ex.Literal)
    ...     def _literal(self, e):
    ...         return str(e.value)
    ...     @show.register(ex.BinOp)
    ...     def _binop(self, e):
    ...         return f"{self.show(e.a)} {e.op} {self.show(e.b)}"
    >>> Printer().show(ex.Literal(1) + ex.Neg(ex.Literal(2)))
    '1.0 + ?'
    """

    def __init__(self, default):
        self.dispatcher = functools.singledispatch(default)
        functools.update_wrapper(self, default)

    def register(self, cls, method=None):
        """Use ``method`` for nodes of type ``cls`` (a decorator when ``method`` is None)."""
        return self.dispatcher.register(cls, method)

    def __call__(self, obj, e, *args, **kwargs):
        return self.dispatcher.dispatch(e.__class__)(obj, e, *args, **kwargs)

    def __get__(self, obj, cls=None):
        return self if obj is None else types.MethodType(self, obj)
