"""The model graph: resolved, lowered, ordered and checked."""

from .graph import ModelGraph, build_graph, check_model
from .nodes import Node, NodeRef
from .report import CheckReport

__all__ = ["CheckReport", "ModelGraph", "Node", "NodeRef", "build_graph", "check_model"]
