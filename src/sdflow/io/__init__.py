"""Vensim and XMILE models in (through pysd's translators), XMILE out."""

from typing import TYPE_CHECKING

from ..errors import ImportModelError, IncompleteModelError, UnsupportedFeatureError
from .readers import read_model, read_vensim, read_xmile

__all__ = ["ImportModelError", "IncompleteModelError", "UnsupportedFeatureError",
           "read_model", "read_vensim", "read_xmile", "write_xmile"]


if TYPE_CHECKING:  # static analysers see the lazy name as the import it stands for
    from .xmile_writer import write_xmile
else:
    def __getattr__(name: str):
        """``write_xmile`` imports the writer (and the diagram layout it uses) when first
        asked for: reading a model does not need them."""
        if name == "write_xmile":
            from .xmile_writer import write_xmile
            return write_xmile
        raise AttributeError(f"module 'sdflow.io' has no attribute {name!r}")
