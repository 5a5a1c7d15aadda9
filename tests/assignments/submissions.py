"""Hand-made student submissions for the grading proofs.

Every submission starts from the *released* notebook, as a student's does, and
then answers it (with the model solution), answers it wrongly, breaks it, or
hands in something that is not a notebook at all.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

ASSIGNMENTS = ["a1-sources", "a2-timeline", "a3-mapping", "a4-synthesis"]


def read(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(nb: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def source_text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def grade_id(cell: dict[str, Any]) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def nbgrader_meta(cell: dict[str, Any]) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell(nb: dict[str, Any], gid: str) -> dict[str, Any]:
    for c in nb["cells"]:
        if grade_id(c) == gid:
            return c
    raise KeyError(gid)


def region_lines(text: str, begin: str, end: str) -> list[str]:
    """The non-blank lines strictly inside every begin/end region of ``text``, stripped."""
    lines, inside = [], False
    for line in text.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def without_markers(text: str) -> str:
    """The model solution of a cell: its source without the solution markers."""
    return "\n".join(line for line in text.splitlines() if "BEGIN SOLUTION" not in line and "END SOLUTION" not in line)


def solved(release: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """The released notebook with every answer cell filled in with the model solution."""
    nb = copy.deepcopy(release)
    for c in nb["cells"]:
        if nbgrader_meta(c).get("solution"):
            c["source"] = without_markers(source_text(cell(source, grade_id(c))))
    return nb


def with_source(nb: dict[str, Any], gid: str, text: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    cell(nb, gid)["source"] = text
    return nb


def without(nb: dict[str, Any], *gids: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    nb["cells"] = [c for c in nb["cells"] if grade_id(c) not in gids]
    return nb


def duplicated(nb: dict[str, Any], gid: str) -> dict[str, Any]:
    nb = copy.deepcopy(nb)
    i = next(i for i, c in enumerate(nb["cells"]) if grade_id(c) == gid)
    twin = copy.deepcopy(nb["cells"][i])
    twin["id"] = twin.get("id", "cell") + "-copy"
    nb["cells"].insert(i + 1, twin)
    return nb


#: Per assignment: an answer that passes the visible tests but not the hidden
#: ones, and the test cells it must fail.
WRONG = {
    "a1-sources": ("count-term", '''
def count_term(article_id, term):
    """Counts substrings, so 'korea' also counts 'korean'."""
    return articles.loc[article_id, "body"].lower().count(term.lower())
''', ["count-term-tests"]),
    "a2-timeline": ("longest-gap", '''
def longest_gap(table):
    """Returns the latest of equally long gaps, not the earliest."""
    starts = pd.Series(table.index)
    ids = table["event_id"].reset_index(drop=True)
    gaps = starts.diff().dt.days
    i = int(gaps[::-1].idxmax())
    return ids[i - 1], ids[i], int(gaps[i])
''', ["longest-gap-tests"]),
    "a3-mapping": ("haversine", '''
def haversine_km(lat1, lon1, lat2, lon2):
    """A flat-earth (equirectangular) approximation: fine nearby, wrong far away."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0088 * math.hypot(x, y)
''', ["haversine-tests"]),
    "a4-synthesis": ("lags", '''
def article_lags(table):
    """Measures from the earliest event, not the latest."""
    starts = table.reset_index().groupby("article_id")["date"]
    result = pd.DataFrame(index=articles.index)
    result["events"] = starts.size().reindex(articles.index).fillna(0).astype(int)
    earliest = starts.min().reindex(articles.index)
    result["lag_days"] = (articles["publication_date"] - earliest).dt.days.astype(float)
    return result
''', ["lags-tests"]),
}

#: Bad submissions of a1-sources, graded in one batch with the good ones.
#: student -> (how to build it, expected score out of 5, flag prefixes expected)
LOOP = '''
def count_term(article_id, term):
    while True:   # an endless loop: the grader's timeout must stop it
        pass
'''
EXIT = '''
import os
os._exit(1)   # the kernel dies here
'''
MEMORY = '''
def people_mentioned(article_id):
    chunks = []
    for _ in range(60):   # up to 6 GB, 100 MB at a time: more than the grading kernel may use
        chunks.append(bytearray(100 * 1024 * 1024))
    return []
'''
CHEAT_TEST = "assert True  # the student replaced the tests\n"
CHEAT_SETUP = "import koreathaw as kt\narticles = None\nnames = None\n"
