"""Vensim and XMILE models in (through pysd's translators), XMILE out."""

from ..errors import ImportModelError, UnsupportedFeatureError
from .readers import read_model, read_vensim, read_xmile
from .xmile_writer import write_xmile

__all__ = ["ImportModelError", "UnsupportedFeatureError", "read_model", "read_vensim",
           "read_xmile", "write_xmile"]
