"""Line numbers for the keys of a TOML file, which ``tomllib`` does not report.

The file is scanned line by line for table headers (``[[card]]``, ``[[chapter.setup]]``, ``[claim.measured]``)
and ``key =`` lines, skipping the insides of multi-line strings. Each is recorded under the path the parsed
data uses: ``("card", 3, "answer")`` is the ``answer`` key of the fourth ``[[card]]``. Inline tables
(``measured = { input = "..." }``) give their keys the line of their opening brace.
"""

from __future__ import annotations

import re

Path_ = tuple  # ("card", 3, "answer"): table names, array indices and keys, as in the parsed dict

HEADER = re.compile(r"^\s*(\[\[|\[)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
INLINE_KEY = re.compile(r"[{,]\s*([A-Za-z0-9_-]+)\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in dotted.split(".")]


def key_lines(text: str) -> dict[Path_, int]:
    """Map every header and key path of `text` to its 1-based line."""
    lines: dict[Path_, int] = {}
    counts: dict[Path_, int] = {}  # array-of-tables path -> how many entries so far
    table: Path_ = ()
    open_quote: str | None = None  # inside a multi-line string that started on an earlier line
    for number, line in enumerate(text.splitlines(), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        header = HEADER.match(line)
        if header and not KEY.match(line):
            table = _resolve(_parts(header.group(2)), counts, array=header.group(1) == "[[")
            lines.setdefault(table, number)
            continue
        key = KEY.match(line)
        if key:
            path = table + tuple(_parts(key.group(1)))
            lines.setdefault(path, number)
            rest = line[key.end() :]
            if rest.lstrip().startswith("{"):
                for inner in INLINE_KEY.finditer(rest):
                    lines.setdefault(path + (inner.group(1),), number)
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    open_quote = quote
                    break
    return lines


def _resolve(names: list[str], counts: dict[Path_, int], array: bool) -> Path_:
    """The data path of a header: an array table's parents point at their latest entry."""
    path: Path_ = ()
    for name in names[:-1]:
        path += (name,)
        if path in counts:  # a parent that is an array of tables: its latest entry
            path += (counts[path] - 1,)
    path += (names[-1],)
    if array:
        index = counts.get(path, 0)
        counts[path] = index + 1
        path += (index,)
    return path


def line_of(lines: dict[Path_, int], path: Path_) -> int:
    """The line of `path`, or of its nearest recorded parent (a missing key: the table that lacks it)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return 1
