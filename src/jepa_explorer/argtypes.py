"""Argument types for the command line: numbers with bounds, refused with one line that names the limits.

`type=whole(1, 256)` instead of `type=int`: -3 heads or 10**12 probe samples stop at the parser, with
exit 2, instead of failing deep inside a model or filling memory."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def whole(low: int, high: int) -> Callable[[str], int]:
    """A whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def positive(high: float = math.inf) -> Callable[[str], float]:
    """A finite number above 0 and at most `high`."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not (0 < value <= high and math.isfinite(value)):
            limit = "" if high == math.inf else f" and at most {high:g}"
            raise argparse.ArgumentTypeError(f"must be a number above 0{limit}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line (`error: ...`) and exit 2, like every other error of the command line;
    subcommand parsers made from it inherit the behaviour."""

    def error(self, message: str):  # noqa: D401 - argparse's hook
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")
