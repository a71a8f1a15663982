"""The one place sdflow imports its TOML parser from.

``tomllib`` is in the standard library from Python 3.11; on 3.10 the same parser is the
``tomli`` package (a dependency there, see ``pyproject.toml``). Every TOML reader in
sdflow writes ``from .._tomllib import tomllib`` and uses ``tomllib.loads`` and
``tomllib.TOMLDecodeError`` as usual.

Examples
--------
>>> from sdflow._tomllib import tomllib
>>> tomllib.loads('seed = 3')
{'seed': 3}
"""

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # the standard library's tomllib began as tomli, with the same API
    import tomli as tomllib

__all__ = ["tomllib"]
