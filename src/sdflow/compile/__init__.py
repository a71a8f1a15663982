"""From the model graph to generated numpy source (batch of runs on axis 0)."""

from .compiled import CompiledModel, compile_model

__all__ = ["CompiledModel", "compile_model"]
