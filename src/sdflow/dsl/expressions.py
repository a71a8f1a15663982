"""The expression nodes modellers build with operators on variables.

They are defined below the DSL, in `sdflow.expr`, so that the graph, the compiler and io
read them without importing the modelling language; this module keeps their public home
for modellers.
"""

from ..expr.allocation import AllocateByPriority
from ..expr.nodes import (BinOp, Call, Expr, Literal, LookupCall, Named, Neg, Not, Reduce,
                          Ref, Reindex, Rename, Select, Stateful, Time, as_expr, describe, walk)

__all__ = ["AllocateByPriority", "BinOp", "Call", "Expr", "Literal", "LookupCall", "Named",
           "Neg", "Not", "Reduce", "Ref", "Reindex", "Rename", "Select", "Stateful", "Time",
           "as_expr", "describe", "walk"]
