"""The ``sdflow`` command line: thin wrappers around the public API.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds its
parser and sets ``func`` (taking the parsed arguments, returning an exit code). A failure
is one line on stderr and an exit code (see `sdflow.cli.failures`); ``--debug`` adds the
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

from .failures import USAGE, explain

#: Modules of this package that define sub-commands, in the order ``--help`` lists them.
COMMANDS = ["run", "compile", "calibrate", "forecast", "convert", "diagram", "explore"]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong and where to look."""

    def error(self, message: str):
        self.exit(USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = Parser(prog="sdflow", description="System dynamics models in Python: run, "
                                               "calibrate, forecast.")
    parser.add_argument("--version", action="version", version=f"sdflow {__version__}")
    debug_help = "show the traceback of a failure (to report a bug)"
    parser.add_argument("--debug", action="store_true", help=debug_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    for command in set(sub.choices.values()):  # --debug also after the command's name;
        # no default there, or it would overwrite a --debug given before the name
        command.add_argument("--debug", action="store_true", help=debug_help,
                             default=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sdflow`` command; returns the exit code.

    Examples
    --------
    >>> main(["run", "sdmodels.reference.bass:nothing"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SystemExit:
        raise
    except BaseException as exc:  # every failure becomes one line (and an exit code)
        inputs = [str(v) for k, v in vars(args).items() if isinstance(v, Path) and k != "out"]
        if Path(str(getattr(args, "model", "")).partition(":")[0]).is_file():
            inputs.append(str(args.model))
        code, message = explain(exc, inputs, resumable=hasattr(args, "resume"))
        if args.debug:
            traceback.print_exception(exc, file=sys.stderr)
        print(f"sdflow {args.command}: error: {message}", file=sys.stderr)
        return code
