"""`jepa-explorer lesson --check [DIR] [--json]`, registered into the CLI by `cli._register_optional`."""

from __future__ import annotations

import json
import sys

from jepa_explorer.errors import LessonError


def cmd_lesson(args) -> int:
    from jepa_explorer.lesson.loader import check_folder, default_content_dir

    if not args.check:
        raise LessonError("lesson: nothing to do; run `jepa-explorer lesson --check [DIR]`, or open the app's lesson panel")
    folder = args.check if isinstance(args.check, str) else str(default_content_dir())
    lesson, problems = check_folder(folder)
    if args.json:
        report = {"folder": folder, "ok": not problems}
        report.update({"counts": lesson.counts()} if lesson else {"problems": [p.to_json() for p in problems]})
        print(json.dumps(report, indent=1))
    elif problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
    else:
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in lesson.counts().items())
        print(f"{folder}: ok ({counts})")
    return 2 if problems else 0


def register(subparsers) -> None:
    p = subparsers.add_parser("lesson", help="validate lesson content (chapters, cards, claims, flashcards)")
    p.add_argument(
        "--check",
        nargs="?",
        const=True,
        default=None,
        metavar="DIR",
        help="validate a content folder (default: the bundled lesson) and print its counts or each problem",
    )
    p.add_argument("--json", action="store_true", help="print the counts or the problems as JSON")
    p.set_defaults(func=cmd_lesson)
