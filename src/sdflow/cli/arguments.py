"""Checks of command-line values shared by the sub-commands.

Values argparse can check alone (a count, a seed) are argparse types, so a bad value is a
usage error (exit code 2) reported before anything is loaded; checks that need more
context raise `ArgumentValueError`, which the command line also reports as a usage error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ArgumentValueError

__all__ = ["ArgumentValueError", "check_output_file", "check_output_folder", "positive_int",
           "seed"]


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (runs, chunk size, workers).

    Examples
    --------
    >>> positive_int("12")
    12
    >>> positive_int("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not a whole number of at least 1
    """
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def seed(text: str) -> int:
    """An argparse type: a random seed, a whole number of at least 0.

    Examples
    --------
    >>> seed("2026")
    2026
    >>> seed("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '-1' is not a seed; give a whole number of at least 0, e.g. 2026
    """
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a seed; give a whole number of at "
                                         "least 0, e.g. 2026")
    return value


def check_output_file(path: Path, flag: str = "--out") -> None:
    """Raise `ArgumentValueError` unless ``path`` can become a file: it is not a folder
    and no part of the folders above it is a file."""
    if path.is_dir():
        raise ArgumentValueError(f"{flag} {path}: this is a folder; give a file name in it, "
                                 f"e.g. {path / 'results.nc'}")
    _check_parents(path, flag)


def check_output_folder(path: Path, flag: str = "--out") -> None:
    """Raise `ArgumentValueError` unless ``path`` is a folder or can be made one."""
    if path.exists() and not path.is_dir():
        raise ArgumentValueError(f"{flag} {path}: this is a file, not a folder; give a "
                                 "folder for the outputs")
    _check_parents(path, flag)


def _check_parents(path: Path, flag: str) -> None:
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ArgumentValueError(f"{flag} {path}: {parent} is a file, not a folder; "
                                         "choose a path below a folder")
            return
