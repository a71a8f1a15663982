"""Expression trees: the nodes every stage of the pipeline reads, and their traversal."""

from .allocation import AllocateByPriority
from .nodes import (BinOp, Call, Expr, Literal, LookupCall, Named, Neg, Noise, Not, Reduce,
                    Ref, Reindex, Rename, Select, Stateful, Time, as_expr, describe, walk)

__all__ = ["AllocateByPriority", "BinOp", "Call", "Expr", "Literal", "LookupCall", "Named",
           "Neg", "Noise", "Not", "Reduce", "Ref", "Reindex", "Rename", "Select", "Stateful",
           "Time", "as_expr", "describe", "walk"]
