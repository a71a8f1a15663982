"""Sphinx configuration of the sdflow documentation site.

Sphinx rather than MkDocs: autodoc imports the package and reads the numpydoc docstrings
as they are (napoleon ships with Sphinx), autosummary generates one page per public name
from each subpackage's ``__all__``, so the API reference follows the code without a
hand-kept list, and MyST-Parser lets the tutorials be Markdown files that read well on
GitHub too. Build with ``sphinx-build -W -b html docs docs/_build/html``.
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The source tree wins over an installed copy, so the reference shows this checkout.
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import sdflow  # noqa: E402  (after the path set-up above)

project = "sdflow"
author = "the sdflow developers"
copyright = "the sdflow developers"  # noqa: A001  (Sphinx's name for it)
release = version = sdflow.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md", "make_figures.py"]
templates_path = ["_templates"]

# API reference: one page per name in each subpackage's __all__. Names that the top-level
# package re-exports are documented once, under ``sdflow``; the subpackage pages list the
# rest (see _templates/autosummary/module.rst).
autosummary_generate = True
# Stubs are written afresh on every build: a name removed from the API must not leave a page
# behind (with -W, an orphaned page fails the build).
shutil.rmtree(Path(__file__).parent / "api", ignore_errors=True)
autosummary_ignore_module_all = False
autosummary_context = {"top_level_names": sorted(sdflow.__all__)}
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

myst_heading_anchors = 3

html_theme = "alabaster"
html_title = f"sdflow {release}"
html_theme_options = {
    "description": "System dynamics in plain Python",
    "fixed_sidebar": True,
}
