"""The modelling language: what modellers write."""

from .dimensions import Dimension
from .distributions import (Distribution, lognormal, normal, triangular, truncnormal,
                            uniform)
from ..expr.nodes import Expr
from .model import Model
from .variables import Aux, Const, Data, Flow, Lookup, Stock, Variable

__all__ = ["Aux", "Const", "Data", "Dimension", "Distribution", "Expr", "Flow", "Lookup",
           "Model", "Stock", "Variable", "lognormal", "normal", "triangular", "truncnormal",
           "uniform"]
