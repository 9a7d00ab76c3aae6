"""Entry point of the bundled app (PyInstaller runs this file): `jepa_explorer.cli:main`.

No arguments opens the GUI; every CLI command works the same as in an installed package."""

from __future__ import annotations

import multiprocessing
import os
import sys


def _doctor_registered() -> bool:
    from jepa_explorer.cli import build_parser

    return "doctor" in build_parser()._subparsers._group_actions[0].choices


def run() -> int:
    multiprocessing.freeze_support()  # Windows: a spawned worker must not start the app again
    if sys.stdout is None:  # the windowed Windows/macOS launcher has no console: print() must not fail
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    args = sys.argv[1:]
    # `doctor` (and the doctor's own Qt probe, `doctor --qt-probe`) also work before the CLI lists it
    if args[:1] == ["doctor"] and not _doctor_registered():
        from jepa_explorer.doctor import main as doctor_main

        return doctor_main(args[1:])
    from jepa_explorer.cli import main

    return main(args)


if __name__ == "__main__":
    sys.exit(run())
