"""The ``sdflow`` command line: thin wrappers around the public API.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``func`` (taking the parsed arguments, returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import SdflowError

#: Modules of this package that define sub-commands, in the order ``--help`` lists them.
COMMANDS = ["run", "calibrate", "forecast", "convert"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sdflow", description="System dynamics models in Python: run, calibrate, "
                                   "forecast.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sdflow`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SdflowError as exc:
        print(f"sdflow {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sdflow {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
