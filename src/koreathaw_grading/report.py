"""The instructor's report of one assignment: a picture of the class, then who needs attention and why.

``reports/<assignment>.md`` and ``reports/<assignment>.html`` are written from the
gradebook at the time of writing (manual grades included) and from the per-student
reports of the last grading run (flags, details). The HTML page holds its figures as
PNG data with alt text, loads nothing, runs no script and escapes everything a
student could have put in a name or a file.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from dataclasses import dataclass
from pathlib import Path

from koreathaw_grading import results
from koreathaw_grading.course import Course
from koreathaw_grading.export import refusals
from koreathaw_grading.results import NOT_SUBMITTED, Result


def md(text: str) -> str:
    """``text`` safe inside a Markdown table cell or list item: no markup, no HTML, no line break."""
    return html.escape(" ".join(str(text).split())).replace("|", "&#124;").replace("`", "&#96;").replace("*", "&#42;")


@dataclass
class Picture:
    """The numbers of the class on one assignment, read from the gradebook."""

    assignment: str
    max_score: float
    totals: dict[str, float]              # student -> total, for submissions graded in full
    pending: list[str]                    # students whose manual grading is not done
    items: list[tuple[str, float, float, int]]   # (cell, max points, pass rate 0..1, submissions)

    @property
    def stats(self) -> dict[str, float]:
        values = list(self.totals.values())
        if not values:
            return {"count": 0}
        return {"count": len(values), "mean": statistics.fmean(values), "median": statistics.median(values),
                "min": min(values), "max": max(values)}


def picture(course: Course, assignment: str) -> Picture:
    """The class's totals and every graded cell's pass rate (full points), from the gradebook."""
    from koreathaw_grading.grade import is_manual

    with course.gradebook() as gb:
        spec = gb.find_assignment(assignment)
        max_score = float(spec.max_score)
        cells = [(c.name, float(c.max_score)) for nb in spec.notebooks for c in nb.grade_cells]
        totals, pending, passed, seen = {}, [], {name: 0 for name, _ in cells}, {name: 0 for name, _ in cells}
        for sub in gb.assignment_submissions(assignment):
            waiting = False
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.needs_manual_grade and is_manual(grade):
                        waiting = True
                        continue
                    seen[grade.name] = seen.get(grade.name, 0) + 1
                    if grade.max_score and float(grade.score) >= float(grade.max_score):
                        passed[grade.name] = passed.get(grade.name, 0) + 1
            if waiting:
                pending.append(sub.student.id)
            else:
                totals[sub.student.id] = float(sub.score)
    items = [(name, points, passed[name] / seen[name] if seen[name] else 0.0, seen[name]) for name, points in cells]
    return Picture(assignment, max_score, totals, sorted(pending), items)


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def figures(pic: Picture) -> list[tuple[str, str]]:
    """(PNG as base64, alt text) for the histogram of totals and the items' pass rates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    values = sorted(pic.totals.values())
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(values, bins=min(20, max(1, int(pic.max_score) + 1)), range=(0, max(pic.max_score, 1)), color="#3465a4")
    ax.set_xlabel(f"total score (out of {pic.max_score:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{pic.assignment}: total scores")
    counts = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    spread = ", ".join(f"{n} scored {v:g}" for v, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6])
    out.append((_png(fig), f"Histogram of the total scores of {len(values)} submissions of {pic.assignment}, out of "
                           f"{pic.max_score:g}: {spread or 'none graded yet'}."))
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(pic.items) + 1))
    names = [name for name, *_ in pic.items]
    rates = [rate * 100 for _, _, rate, _ in pic.items]
    ax.barh(names[::-1], rates[::-1], color="#4e9a06")
    ax.set_xlim(0, 100)
    ax.set_xlabel("submissions with full points (%)")
    ax.set_title(f"{pic.assignment}: how many passed each graded cell")
    hardest = sorted(pic.items, key=lambda item: item[2])[:3]
    out.append((_png(fig), f"Bar chart of the share of submissions with full points in each of the {len(names)} "
                           f"graded cells of {pic.assignment}; the hardest: "
                           + ", ".join(f"{n} {r * 100:.0f}%" for n, _, r, _ in hardest) + "."))
    plt.close(fig)
    return out


def _attention(course: Course, assignment: str) -> tuple[dict[str, Result], list[Result]]:
    found = results.load_all(course.root, assignment)
    for student in course.students():
        if student not in found:
            found[student] = Result(student, assignment, status=NOT_SUBMITTED)
    return found, [r for r in found.values() if r.needs_attention]


def markdown(course: Course, assignment: str, pic: Picture) -> str:
    found, attention = _attention(course, assignment)
    st = pic.stats
    lines = [f"# Grading report: {assignment}", "",
             f"{len(found)} students, {len(attention)} need attention.", ""]
    if st["count"]:
        lines += [f"Graded in full: {st['count']}; mean {st['mean']:.2f}, median {st['median']:g} "
                  f"(min {st['min']:g}, max {st['max']:g}) of {pic.max_score:g}."]
    if pic.pending:
        lines += [f"Manual grading pending for {len(pic.pending)}: {', '.join(pic.pending)}."]
    lines += ["", "## Graded cells", "", "| cell | points | full points | submissions |", "| --- | --- | --- | --- |"]
    lines += [f"| {md(n)} | {p:g} | {r * 100:.0f}% | {k} |" for n, p, r, k in pic.items]
    lines += ["", "## Needs attention", ""]
    lines += [f"- **{r.student}**: {r.status}, {r.score:g}/{r.max_score:g}"
              + (f"; flags: {md('; '.join(r.flags))}" if r.flags else "")
              + "".join(f"\n  - {md(d)}" for d in r.details) for r in attention] or ["Nobody."]
    refused = refusals(course, assignment)
    if refused:
        lines += ["", "## Refused at collect", "",
                  "Folders that were not collected (and names that are no student id); nothing of them was graded.", ""]
        lines += [f"- folder `{md(folder)}`" + (f" (student {sid})" if sid else "") + f": {md(why)}"
                  for folder, (sid, why) in sorted(refused.items())]
    lines += ["", "## Everyone", "", "| student | status | score | flags |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.student} | {r.status} | {r.score:g}/{r.max_score:g} | {md('; '.join(r.flags))} |"
              for r in sorted(found.values(), key=lambda r: r.student)]
    return "\n".join(lines) + "\n"


def page(course: Course, assignment: str, pic: Picture) -> str:
    """The report as a self-contained HTML page (no script, figures inline, everything escaped)."""
    e = html.escape
    found, attention = _attention(course, assignment)
    st = pic.stats
    body = [f"<h1>Grading report: {e(assignment)}</h1>",
            f"<p>{len(found)} students; {len(attention)} need attention.</p>"]
    if st["count"]:
        body.append("<table><caption>Totals of the submissions graded in full</caption><tr>"
                    + "".join(f"<th scope='col'>{k}</th>" for k in ("count", "mean", "median", "min", "max", "out of"))
                    + f"</tr><tr><td>{st['count']}</td><td>{st['mean']:.2f}</td><td>{st['median']:g}</td>"
                    f"<td>{st['min']:g}</td><td>{st['max']:g}</td><td>{pic.max_score:g}</td></tr></table>")
    if pic.pending:
        body.append(f"<p>Manual grading pending for {len(pic.pending)}: {e(', '.join(pic.pending))}.</p>")
    for data, alt in figures(pic):
        body.append(f"<figure><img src='data:image/png;base64,{data}' alt='{e(alt, quote=True)}'>"
                    f"<figcaption>{e(alt)}</figcaption></figure>")
    body.append("<h2>Graded cells</h2><table><tr><th scope='col'>cell</th><th scope='col'>points</th>"
                "<th scope='col'>full points</th><th scope='col'>submissions</th></tr>"
                + "".join(f"<tr><td>{e(n)}</td><td>{p:g}</td><td>{r * 100:.0f}%</td><td>{k}</td></tr>"
                          for n, p, r, k in pic.items) + "</table>")
    body.append("<h2>Needs attention</h2><ul>" + ("".join(
        f"<li><strong>{e(r.student)}</strong>: {e(r.status)}, {r.score:g}/{r.max_score:g}"
        + (f"; flags: {e('; '.join(r.flags))}" if r.flags else "")
        + ("<ul>" + "".join(f"<li>{e(d)}</li>" for d in r.details) + "</ul>" if r.details else "") + "</li>"
        for r in attention) or "<li>Nobody.</li>") + "</ul>")
    refused = refusals(course, assignment)
    if refused:
        body.append("<h2>Refused at collect</h2><ul>" + "".join(
            f"<li>folder <code>{e(folder)}</code>{f' (student {e(sid)})' if sid else ''}: {e(why)}</li>"
            for folder, (sid, why) in sorted(refused.items())) + "</ul>")
    body.append("<h2>Everyone</h2><table><tr><th scope='col'>student</th><th scope='col'>status</th>"
                "<th scope='col'>score</th><th scope='col'>flags</th></tr>" + "".join(
                    f"<tr><td>{e(r.student)}</td><td>{e(r.status)}</td><td>{r.score:g}/{r.max_score:g}</td>"
                    f"<td>{e('; '.join(r.flags))}</td></tr>" for r in sorted(found.values(), key=lambda r: r.student))
                + "</table>")
    style = ("body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#1a1a1a}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #888;padding:.2em .5em}"
             "img{max-width:100%}caption{text-align:left;font-weight:bold}")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
            f"<title>Grading report: {e(assignment)}</title><style>{style}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")


def report(course: Course, assignment: str) -> Path:
    """Write ``reports/<assignment>.md`` and ``.html``; return the Markdown's path."""
    folder = course.root / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    pic = picture(course, assignment)
    (folder / f"{assignment}.html").write_text(page(course, assignment, pic), encoding="utf-8")
    path = folder / f"{assignment}.md"
    path.write_text(markdown(course, assignment, pic), encoding="utf-8")
    return path
