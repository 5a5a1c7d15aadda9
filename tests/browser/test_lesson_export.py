"""A lesson exported as HTML (the course's nbconvert template) works with no network.

`make setup` makes the course template (website/nbconvert/koreathaw) the default of
`jupyter nbconvert --to html` and of JupyterLab's Export as HTML. Here every lesson is
exported as a student would (`jupyter nbconvert --to html --execute`, the venv's
command, no template named), and each file is opened in Debian's chromium with every
request off the machine aborted: no outside request, no console error, the widgets
and maps drawn, no axe violation.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lab_fixtures import REPO, LabServer, course_env, lab_browser, venv_bin, venv_python  # noqa: F401
from test_site import check_page, lessons

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every lesson, executed and exported with the venv's `jupyter nbconvert --to html` (its defaults)."""
    out = tmp_path_factory.mktemp("export")
    jupyter = venv_bin() / "jupyter"
    if not jupyter.exists():
        pytest.fail(f"{jupyter} is missing: run `make setup`")
    notebooks = [str(REPO / "notebooks" / f"{name}.ipynb") for name in lessons()]
    done = subprocess.run([venv_python(), str(jupyter), "nbconvert", "--to", "html", "--execute",
                           "--output-dir", str(out), *notebooks],
                          cwd=REPO / "notebooks", env=course_env(), capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        pytest.fail(f"nbconvert failed ({done.returncode}):\n{done.stderr[-6000:]}")
    return out


def test_the_course_template_is_the_default(exported):
    """The export was made with the course template: no CDN, no require.js, the widget manager inside."""
    page = (exported / "03-timeline.html").read_text(encoding="utf-8")
    assert "koreathaw offline export" in page
    for host in ("cdnjs.cloudflare.com", "unpkg.com", "cdn.jsdelivr.net/npm/@jupyter-widgets", "require.min.js"):
        assert host not in page, host
    assert '<script src="data:text/javascript;base64,' in page
    import re

    images = re.findall(r"<img\b[^>]*>", page)
    assert images and all(re.search(r'\balt="[^"]{10,}"', img) for img in images), \
        "every figure carries alt text (the lessons' own, from kt.figure_image, or the template's)"


def test_every_exported_lesson_opens_offline_drawn_and_passes_axe(exported, offline_page):
    """Each exported lesson, opened from disk: no outside request, no error, widgets and maps drawn, axe-clean."""
    summary = {}
    for name in lessons():
        offline_page.console_errors.clear()
        summary[name] = check_page(offline_page, (exported / f"{name}.html").as_uri(), audit=True)
    print("\n" + "\n".join(f"{k}: {v['widgets']} widgets, {v['maps']} maps, axe: {len(v['violations'])} violations"
                           for k, v in summary.items()))
    assert summary["03-timeline"]["widgets"] >= 1 and summary["04-places"]["maps"] >= 3


def test_exported_widget_shows_its_saved_state(exported, offline_page):
    """The timeline stepper in the export shows the event the lesson left it on."""
    check_page(offline_page, (exported / "03-timeline.html").as_uri(), audit=False)
    readout = offline_page.locator(".widget-slider .widget-readout").first.inner_text()
    assert " · E" in readout
    assert readout.split(" · ")[1] in offline_page.locator(".koreathaw-event").first.inner_text()


def test_jupyterlab_export_uses_the_course_template(tmp_path, lab_browser):
    """JupyterLab's Export as HTML (the server's /nbconvert/html handler) uses the course template."""
    with LabServer(root_dir=REPO, home=tmp_path / "lab") as server:
        status, body = server._request("GET", "/nbconvert/html/notebooks/00-welcome.ipynb?download=true", timeout=120)
    page = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    assert status == 200, page[:500]
    assert "koreathaw offline export" in page and "cdnjs.cloudflare.com" not in page
