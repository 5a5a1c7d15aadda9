"""The course's JupyterLab, started and stopped by the browser tests, and helpers to drive it.

Import from the test modules next to this file (pytest's default import mode puts
``tests/browser`` on ``sys.path``)::

    from lab_fixtures import LabServer, start_lab, open_notebook, run_all, ...

What is here:

* :class:`LabServer` starts the ``jupyter-lab`` server process itself (the venv's
  ``jupyter-lab`` script run by the venv's Python, so the PID held is the server's and
  not a wrapper's) on a free loopback port, with its own runtime, config, data, settings
  and workspaces folders under a temporary folder, an explicit token, ``--allow-root``
  and the venv's ``bin/`` first on ``PATH`` (nbgrader shells out to ``alembic``). It
  waits until ``/lab`` answers. :meth:`LabServer.stop` shuts every kernel down through
  the REST API, stops the server by its PID (SIGTERM, then SIGKILL) and checks that no
  child process (kernel) outlives it.
* :func:`offline_context` makes a Playwright browser context in which every request
  that is not to 127.0.0.1/localhost is aborted (and recorded).
* helpers that act as a student or instructor would: open a notebook, Run All through
  the menu, wait for the kernel to be idle, collect error outputs, take screenshots.
* module fixtures for the test modules to import: ``lab_browser`` (conftest's session
  ``browser``: Debian's chromium, skipped loudly without it) and ``shots`` (conftest's
  ``artifacts_dir``, i.e. ``artifacts/screenshots/``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
ARTIFACTS = REPO / "artifacts" / "screenshots"

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

# Generous but bounded waits (2 cores, cold caches).
SERVER_START_TIMEOUT = 90.0
KERNEL_TIMEOUT_MS = 180_000
UI_TIMEOUT_MS = 60_000


# --------------------------------------------------------------------------- python


def venv_python() -> str:
    """The interpreter that runs the course: the venv's, else the one running pytest."""
    candidate = VENV_BIN / "python"
    return str(candidate) if candidate.exists() else sys.executable


def venv_bin() -> Path:
    """The folder of the course's console scripts (``jupyter-lab``, ``nbgrader``, ``alembic``)."""
    return VENV_BIN if (VENV_BIN / "jupyter-lab").exists() else Path(sys.executable).parent


def course_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for the server and for nbgrader: the venv's ``bin/`` first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONNOUSERSITE"] = "1"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JPY_SESSION_NAME", None)
    if extra:
        env.update(extra)
    return env


def run_nbgrader(args: list[str], cwd: Path, env: dict[str, str] | None = None,
                 timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` (a course root); fail the test with its output on error."""
    exe = venv_bin() / "nbgrader"
    command = [venv_python(), str(exe), *args] if exe.exists() else [venv_python(), "-m", "nbgrader", *args]
    done = subprocess.run(command, cwd=cwd, env=env or course_env(), capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"nbgrader {' '.join(args)} failed ({done.returncode}) in {cwd}:\n"
                    f"{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    return done


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- server


def _descendants(pid: int) -> list[Any]:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return []
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


@dataclass
class LabServer:
    """A JupyterLab server of the course, run in ``root_dir`` with private Jupyter folders.

    ``cwd`` is the folder the server runs in (nbgrader's Formgrader and Validate read
    ``nbgrader_config.py`` from there); it defaults to ``root_dir``.
    """

    root_dir: Path
    home: Path
    cwd: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    port: int = 0
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    leftovers: list[str] = field(default_factory=list)

    # ---- life cycle
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        dirs = {
            "JUPYTER_CONFIG_DIR": self.home / "config",
            "JUPYTER_RUNTIME_DIR": self.home / "runtime",
            "JUPYTER_DATA_DIR": self.home / "data",
            "JUPYTERLAB_SETTINGS_DIR": self.home / "lab-user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.home / "lab-workspaces",
            "IPYTHONDIR": self.home / "ipython",
            "MPLCONFIGDIR": self.home / "matplotlib",
        }
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        return course_env({key: str(value) for key, value in dirs.items()})

    def command(self) -> list[str]:
        lab = venv_bin() / "jupyter-lab"
        if not lab.exists():
            pytest.fail(f"{lab} is missing: run `make setup` first")
        return [
            venv_python(), str(lab),
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            "--ServerApp.terminals_enabled=False",
            # the tests read app state (kernel status) through window.jupyterapp
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *self.extra_args,
        ]

    def start(self) -> "LabServer":
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self.log_path = self.home / "jupyter-lab.log"
        log = self.log_path.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            self.command(), cwd=self.cwd or self.root_dir, env=self.env(),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                pytest.fail(f"jupyter-lab exited at start:\n{self.log_tail()}")
            try:
                status, _ = self._request("GET", "/lab")
                if status == 200:
                    return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"jupyter-lab did not answer /lab within {SERVER_START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 6000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        return "(no log)"

    def stop(self) -> list[str]:
        """Shut the kernels down, stop the server by its PID; return what outlived it (killed)."""
        if self.proc is None:
            return self.leftovers
        pid = self.proc.pid
        try:
            self.shutdown_kernels()
        except Exception as exc:  # the server may already be gone; SIGTERM still follows
            self.leftovers.append(f"could not shut kernels down through the API: {exc!r}")
        children = _descendants(pid)
        if self.proc.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.leftovers.append(f"jupyter-lab {pid} ignored SIGTERM for 20s: SIGKILL")
                os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:
                pass
            try:
                if child.is_running() and child.status() != "zombie":
                    self.leftovers.append(f"child process {child.pid} {child.cmdline()} outlived the server: killed")
                    child.kill()
            except Exception:
                pass
        self.proc = None
        return self.leftovers

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- REST
    def _request(self, method: str, path: str, body: Any = None, timeout: float = 10) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        ctype = response.headers.get("Content-Type", "")
        return status, (json.loads(raw) if raw and "json" in ctype else raw)

    def api(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = self._request(method, "/api/" + path.lstrip("/"), body)
        if status >= 400:
            raise RuntimeError(f"{method} /api/{path}: HTTP {status}: {payload!r}")
        return payload

    def kernels(self) -> list[dict]:
        return self.api("GET", "kernels")

    def shutdown_kernels(self, timeout: float = 30) -> None:
        """Close every session and shut every kernel down; wait until the list is empty."""
        for session in self.api("GET", "sessions"):
            self._request("DELETE", f"/api/sessions/{session['id']}")
        for kernel in self.kernels():
            self._request("DELETE", f"/api/kernels/{kernel['id']}", timeout=timeout)
        deadline = time.monotonic() + timeout
        while self.kernels() and time.monotonic() < deadline:
            time.sleep(0.2)
        remaining = self.kernels()
        if remaining:
            raise RuntimeError(f"kernels still running after shutdown: {remaining}")

    def kernel_processes(self) -> list[Any]:
        """Processes below the server (kernels and anything they started)."""
        return _descendants(self.proc.pid) if self.proc else []

    # ---- URLs
    def lab_url(self, path: str = "", workspace: str | None = None) -> str:
        """The JupyterLab URL that opens ``path`` (relative to root_dir) in a fresh workspace."""
        ws = workspace or f"t{secrets.token_hex(4)}"
        tree = f"/tree/{urllib.parse.quote(path)}" if path else ""
        return f"{self.url}/lab/workspaces/{ws}{tree}?reset&token={self.token}"


def start_lab(root_dir: Path, home: Path, cwd: Path | None = None, **kwargs: Any) -> LabServer:
    """Start and return a :class:`LabServer` (the caller stops it)."""
    return LabServer(root_dir=Path(root_dir), home=Path(home), cwd=cwd, **kwargs).start()


def lab_server_fixture(request: pytest.FixtureRequest, server: LabServer) -> Iterator[LabServer]:
    """Body of a module fixture: yield the started server, stop it, fail on survivors."""
    server.start()
    try:
        yield server
    finally:
        leftovers = server.stop()
        if leftovers:
            pytest.fail("JupyterLab teardown: " + "; ".join(leftovers), pytrace=False)


# --------------------------------------------------------------------------- course copies


def lessons_dir() -> Path:
    """The lessons to test: ``notebooks/``, or ``$KOREATHAW_LESSONS_DIR`` to try another copy."""
    return Path(os.environ.get("KOREATHAW_LESSONS_DIR") or REPO / "notebooks")


def assignments_dir() -> Path:
    """The nbgrader course root: ``assignments/``, or ``$KOREATHAW_ASSIGNMENTS_DIR``."""
    return Path(os.environ.get("KOREATHAW_ASSIGNMENTS_DIR") or REPO / "assignments")


def copy_lessons(dest: Path) -> Path:
    """Copy the lessons into ``dest/notebooks`` (and link ``data/``); return ``dest``.

    The browser runs and autosaves there, never in the repository's notebooks.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(lessons_dir(), dest / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"), dirs_exist_ok=True)
    if (REPO / "data").exists() and not (dest / "data").exists():
        (dest / "data").symlink_to(REPO / "data", target_is_directory=True)
    return dest


def copy_course(dest: Path, assignments: list[str]) -> Path:
    """Copy the nbgrader course root into ``dest/assignments`` with the named sources.

    ``dest`` mirrors the repository's layout: ``data/`` is linked next to the course root
    (``nbgrader_config.py`` imports the installed ``koreathaw_grading``). Returns the
    course root, where nbgrader runs.
    """
    src = assignments_dir()
    course = dest / "assignments"
    course.mkdir(parents=True, exist_ok=True)
    for item in src.iterdir():
        if item.is_file() and item.suffix in {".py", ".json", ".md", ".txt", ".cfg"}:
            shutil.copy2(item, course / item.name)
    for name in assignments:
        shutil.copytree(src / "source" / name, course / "source" / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if (REPO / "data").exists() and not (dest / "data").exists():
        (dest / "data").symlink_to(REPO / "data", target_is_directory=True)
    return course


def require(path: Path, what: str) -> Path:
    """Fail, naming it, when a course file this scenario needs is missing (a skip would hide it)."""
    if not path.exists():
        pytest.fail(f"{what} ({path}) is missing from the repository", pytrace=False)
    return path


# --------------------------------------------------------------------------- nbgrader notebooks


SOLUTION_RE = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION[^\n]*\n?", re.S | re.M)


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_text(source_cell: dict) -> str:
    """The cell as a student who got it right would leave it: the solution, markers dropped."""
    text = "".join(source_cell["source"]) if isinstance(source_cell["source"], list) else source_cell["source"]
    return SOLUTION_RE.sub(lambda m: m.group(1), text)


def answer_cells(notebook: dict) -> list[tuple[int, dict]]:
    """(index, cell) of every cell a student answers (nbgrader ``solution`` cells)."""
    return [(i, c) for i, c in enumerate(notebook["cells"]) if nbgrader_meta(c).get("solution")]


def filled_answers(source_nb: dict, released_nb: dict) -> dict[str, tuple[str, str]]:
    """grade_id -> (cell_type, text to write) for every answer cell of the released notebook."""
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in source_nb["cells"]}
    answers = {}
    for _, cell in answer_cells(released_nb):
        gid = nbgrader_meta(cell)["grade_id"]
        src = by_id.get(gid)
        if cell["cell_type"] == "code":
            answers[gid] = ("code", solution_text(src) if src else "")
        else:
            text = solution_text(src) if src else ""
            if not text.strip() or "YOUR ANSWER HERE" in text:
                text = ("The 2018 summits opened a channel, but without sanctions relief the "
                        "thaw had nothing to stand on; by 2020 the liaison office was gone.")
            answers[gid] = ("markdown", text)
    return answers


# --------------------------------------------------------------------------- browser


#: Requests that never leave the machine: these schemes, and these hosts.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome-error", "javascript"}


def is_local(url: str) -> bool:
    """Return whether a request to ``url`` stays on this machine."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return (parsed.hostname or "") in {h.strip("[]") for h in LOCAL_HOSTS}


def offline_context(browser: Any, blocked: list[str] | None = None, **kwargs: Any) -> Any:
    """A new browser context in which only requests that stay on this machine get through.

    Every other request is aborted as if the network were down and its URL appended
    to ``blocked``. Used by every browser test (``conftest.offline_page`` too).
    """
    options = {"viewport": {"width": 1400, "height": 1300}}
    options.update(kwargs)
    context = browser.new_context(**options)
    record = blocked if blocked is not None else []

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            record.append(r.request.url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    context.set_default_timeout(UI_TIMEOUT_MS)
    return context


def screenshot(page: Any, name: str, artifacts: Path | None = None, **kwargs: Any) -> Path:
    """Save a screenshot ``artifacts/screenshots/<name>.png``; return its path."""
    folder = Path(artifacts) if artifacts else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path


def screenshot_element(locator: Any, name: str, artifacts: Path | None = None) -> Path:
    """Scroll an element (e.g. a widget's output) to the top of its notebook; screenshot the page."""
    bring_into_view(locator, block="start")
    return screenshot(locator.page, name, artifacts)


def bring_into_view(element: Any, block: str = "center", tries: int = 6) -> bool:
    """Scroll an element (locator or handle) into the window until it stays there.

    JupyterLab lays off-screen cells out lazily (``content-visibility``), so one
    ``scrollIntoView`` can land short while the cells in between get their real height.
    """
    for _ in range(tries):
        element.evaluate("(e, block) => e.scrollIntoView({block})", block)
        element.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        inside = element.evaluate(
            """e => { const r = e.getBoundingClientRect();
                      return r.height > 0 && r.top >= 0 && r.top < window.innerHeight * 0.6; }"""
        )
        if inside:
            return True
    return False


def stepper_row_problems(element: Any) -> dict:
    """What overlaps in the timeline stepper's row under ``element`` (a locator or handle).

    Its parts (Prev, the slider with its readout "2018-03-26 · E007", Next, "event 15 of
    84") must each lie apart from the others, and the readout's text must fit its box,
    neither clipped nor running under the Next button. Returns ``{"problems": [...]}``
    with the boxes measured (empty problems: the row is readable).
    """
    return element.evaluate(
        """root => {
          const slider = root.querySelector('.widget-slider');
          const row = slider && slider.parentElement;
          if (!row) { return {problems: ['no stepper row']}; }
          const readout = slider.querySelector('.widget-readout');
          const range = document.createRange();
          range.selectNodeContents(readout);
          const text = range.getBoundingClientRect(), box = readout.getBoundingClientRect();
          const parts = Array.from(row.children).filter(c => c.getBoundingClientRect().width > 0);
          const name = c => c.matches('.widget-slider') ? 'slider' : (c.innerText || '').trim();
          const problems = [];
          if (readout.scrollWidth > readout.clientWidth + 1 || text.left < box.left - 1 || text.right > box.right + 1) {
            problems.push(`the readout's text (${Math.round(text.width)} px) does not fit its box (${Math.round(box.width)} px)`);
          }
          for (let i = 0; i < parts.length; i++) {
            for (let j = i + 1; j < parts.length; j++) {
              const a = parts[i].getBoundingClientRect(), b = parts[j].getBoundingClientRect();
              if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
                problems.push(`${name(parts[i])} overlaps ${name(parts[j])}`);
              }
            }
            if (parts[i] !== slider) {
              const c = parts[i].getBoundingClientRect();
              if (text.left < c.right && c.left < text.right && text.top < c.bottom && c.top < text.bottom) {
                problems.push(`the readout's text runs under ${name(parts[i])}`);
              }
            }
          }
          return {problems, readout: readout.innerText, text: [text.left, text.right], readoutBox: [box.left, box.right],
                  parts: parts.map(c => [name(c), Math.round(c.getBoundingClientRect().left), Math.round(c.getBoundingClientRect().right)])};
        }"""
    )


# ---- JupyterLab


def open_notebook(page: Any, server: LabServer, path: str) -> Any:
    """Open ``path`` in JupyterLab (fresh workspace) and wait for its kernel to be idle.

    Returns the locator of the notebook panel.
    """
    page.goto(server.lab_url(path))
    page.wait_for_selector("#jp-main-dock-panel", timeout=UI_TIMEOUT_MS)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
    panel.wait_for(state="visible", timeout=UI_TIMEOUT_MS)
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=UI_TIMEOUT_MS)
    accept_kernel_dialog(page)
    wait_kernel_idle(page)
    return panel


def accept_kernel_dialog(page: Any) -> None:
    """If JupyterLab asks which kernel to use, take the one it proposes (the course's)."""
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=1500)
    except Exception:
        return
    if "Kernel" in (dialog.inner_text() or ""):
        page.locator(".jp-Dialog .jp-mod-accept").click()


_KERNEL_STATE_JS = """() => {
  const app = window.jupyterapp;
  if (!app) return 'no-app';
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext) return 'no-notebook';
  const sc = w.sessionContext;
  if (!sc.session || !sc.session.kernel) return 'no-kernel';
  return sc.session.kernel.status;
}"""


def kernel_status(page: Any) -> str:
    return page.evaluate(_KERNEL_STATE_JS)


def wait_kernel_idle(page: Any, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
    """Wait until the current notebook's kernel is idle and no cell shows ``[*]``."""
    page.wait_for_function(
        """() => {
          const app = window.jupyterapp;
          const w = app && app.shell.currentWidget;
          const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
          if (!k || k.status !== 'idle') return false;
          const prompts = w.node.querySelectorAll('.jp-InputArea-prompt');
          for (const p of prompts) { if (p.textContent.includes('*')) return false; }
          return true;
        }""",
        timeout=timeout_ms,
        polling=250,
    )


def click_menu(page: Any, menu: str, item: str) -> None:
    """Click ``menu`` in the menu bar, then ``item`` in it, as a person would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).first.click()
    page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).first.click()


_COUNT_REPLIES_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session.kernel;
  window.__ktReplies = 0;
  if (window.__ktHooked !== k.id) {
    k.anyMessage.connect((_, args) => {
      if (args.direction === 'recv' && args.msg.header.msg_type === 'execute_reply') window.__ktReplies += 1;
    });
    window.__ktHooked = k.id;
  }
  return w.content.model.cells.length;
}"""

_RUN_DONE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle' || window.__ktReplies < 1) return false;
  for (const p of w.node.querySelectorAll('.jp-InputArea-prompt')) { if (p.textContent.includes('*')) return false; }
  return true;
}"""


def run_all(page: Any, timeout_ms: int = KERNEL_TIMEOUT_MS) -> None:
    """Run > Run All Cells, then wait until the run is over and the kernel is idle.

    The run is over when the kernel has answered at least one execute request and no
    cell shows ``[*]`` (all cells are queued at once, so a ``[*]`` stays on every cell
    still to run; a cell that fails stops the run and clears the rest).
    """
    page.evaluate(_COUNT_REPLIES_JS)
    click_menu(page, "Run", "Run All Cells")
    page.wait_for_function(_RUN_DONE_JS, timeout=timeout_ms, polling=250)


def error_outputs(page: Any) -> list[str]:
    """Texts of error outputs and of stderr outputs that carry a traceback."""
    found = []
    errors = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    for i in range(errors.count()):
        found.append(errors.nth(i).inner_text()[:2000])
    stderr = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) "
                          '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for i in range(stderr.count()):
        text = stderr.nth(i).inner_text()
        if "Traceback" in text or re.search(r"\b\w+Error\b:", text):
            found.append(text[:2000])
    return found


def notebook_cells(page: Any) -> Any:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def set_cell_text(page: Any, cell: Any, text: str) -> None:
    """Click into a cell's editor, select everything, and type ``text`` in its place."""
    cell.scroll_into_view_if_needed()
    if "jp-MarkdownCell" in (cell.get_attribute("class") or "") and cell.locator(".jp-MarkdownOutput").is_visible():
        cell.locator(".jp-MarkdownOutput").dblclick()  # rendered markdown -> editor
    editor = cell.locator(".cm-content").first
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")  # command mode


def cell_source(page: Any, index: int) -> str:
    """The source of cell ``index`` of the current notebook, as JupyterLab's model has it."""
    return page.evaluate(
        "(i) => window.jupyterapp.shell.currentWidget.content.model.cells.get(i).sharedModel.getSource()",
        index,
    )


@contextmanager
def offline_page(request: pytest.FixtureRequest, server: LabServer, browser: Any, shots: Path) -> Iterator[Any]:
    """A page in a fresh offline context; ``page.blocked`` lists the requests it aborted,
    ``page.console_errors`` the console errors and uncaught page errors.

    On the way out: a ``<test>-FAILED.png`` screenshot if the test failed, the context
    closed, and every kernel of ``server`` shut down (so kernels never pile up).
    """
    blocked: list[str] = []
    context = offline_context(browser, blocked)
    page = context.new_page()
    page.blocked = blocked
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.console_errors = errors
    failed_before = request.session.testsfailed
    (Path(shots) / f"{request.node.name}-FAILED.png").unlink(missing_ok=True)  # from an older run
    try:
        yield page
    finally:
        try:
            if request.session.testsfailed > failed_before:
                screenshot(page, f"{request.node.name}-FAILED", shots)
        except Exception:
            pass
        context.close()
        server.shutdown_kernels()


# --------------------------------------------------------------------------- fixtures
# Import these into a test module (``from lab_fixtures import lab_browser, shots``).


@pytest.fixture(scope="module")
def lab_browser(browser: Any) -> Any:
    """conftest's chromium, asked for before a module's server starts (no server without it)."""
    return browser


@pytest.fixture(scope="module")
def shots(artifacts_dir: Path) -> Path:
    """Where the screenshots go: ``artifacts/screenshots/`` (conftest's ``artifacts_dir``)."""
    return Path(artifacts_dir)
