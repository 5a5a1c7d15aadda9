"""`make lab` serves the course in JupyterLab (started headless on a free port, then stopped)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = _free_port(), secrets.token_hex(16)
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime), JUPYTERLAB_WORKSPACES_DIR=str(runtime))
    args = f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", f"ARGS={args}"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"make lab exited with {proc.returncode}:\n{proc.stdout.read().decode(errors='replace')}")
            try:
                if _get(f"{base}/api/status?token={token}")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 90 s")
        yield base, token
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_lab_serves_lab_page(lab):
    """GET /lab answers 200 with the JupyterLab page."""
    base, token = lab
    status, body = _get(f"{base}/lab?token={token}")
    assert status == 200
    assert b"JupyterLab" in body


def test_lab_default_kernel_is_the_course_kernel(lab):
    """The course's kernel is installed and preselected."""
    base, token = lab
    specs = json.loads(_get(f"{base}/api/kernelspecs?token={token}")[1])
    assert specs["default"] == "koreathaw"
    assert specs["kernelspecs"]["koreathaw"]["spec"]["display_name"] == "Python 3 (Korean Thaw)"


def test_lab_news_and_update_checks_off(lab):
    """No news prompt: fetching news and checking for updates are off."""
    base, token = lab
    setting = json.loads(_get(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}")[1])
    props = setting["schema"]["properties"]  # the course's overrides.json sets these defaults
    assert props["fetchNews"]["default"] == "false"
    assert props["checkForUpdates"]["default"] is False
    status, body = _get(f"{base}/lab/api/news?token={token}")
    assert status == 200 and json.loads(body)["news"] == []


def test_lab_root_is_the_course(lab):
    """The server's file browser starts at the course root, lessons first."""
    base, token = lab
    listing = json.loads(_get(f"{base}/api/contents?token={token}")[1])
    names = {item["name"] for item in listing["content"]}
    assert {"notebooks", "assignments", "course", "data"} <= names


_CONFIG_PROBE = (
    "from nbgrader.apps import NbGrader\n"
    "from nbgrader.validator import Validator\n"
    "app = NbGrader(); app.load_config_file()\n"
    "print(app.config.CourseDirectory.get('root', '-'))\n"
    "print(getattr(Validator.validate, '_koreathaw', False))\n"
)


def test_nbgrader_config_at_the_top_is_the_course(tmp_path):
    """Started where ``make lab`` starts, nbgrader's tools load the course's config.

    JupyterLab's Formgrader and Validate button read nbgrader's configuration from
    the server's folder; the venv's ``nbgrader_config.py`` (from ``.jupyter/``) loads
    ``assignments/nbgrader_config.py`` there, and nowhere else.
    """
    python = str(REPO / ".venv" / "bin" / "python")
    at_top = subprocess.run([python, "-c", _CONFIG_PROBE], cwd=REPO, capture_output=True, text=True, check=True)
    assert at_top.stdout.split() == [str(REPO / "assignments"), "True"], at_top.stderr
    elsewhere = subprocess.run([python, "-c", _CONFIG_PROBE], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert elsewhere.stdout.split() == ["-", "False"], elsewhere.stderr


def test_lab_formgrader_finds_the_course(lab):
    """Nbgrader → Formgrader in ``make lab`` shows the course (its id), not an empty one."""
    base, token = lab
    status, body = _get(f"{base}/formgrader/manage_assignments?token={token}")
    assert status == 200
    assert b"korean-thaw" in body
    assert b"is not a subdirectory" not in body


def _post(url: str, fields: dict[str, str]) -> tuple[int, bytes]:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST"), timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_lab_validate_button_runs_the_course_checks(lab):
    """JupyterLab's Validate button in ``make lab`` fails a notebook whose graded cell was deleted.

    Stock nbgrader says "Success" for it; the course's check runs only if the server
    loaded ``assignments/nbgrader_config.py``. The notebook goes to ``artifacts/``
    (git-ignored) because the button validates files under the server's root.
    """
    import nbformat

    base, token = lab
    source = REPO / "assignments" / "source" / "a1-sources" / "a1-sources.ipynb"
    nb = nbformat.read(source, as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
             and not c.metadata["nbgrader"].get("solution")]
    assert tests, "a1-sources has no autograded test cell"
    deleted = tests[0].metadata["nbgrader"]["grade_id"]
    nb.cells.remove(tests[0])
    folder = REPO / "artifacts" / f"validate-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    try:
        nbformat.write(nb, folder / "a1-sources.ipynb")
        status, body = _post(f"{base}/assignments/validate?token={token}",
                             {"path": (folder / "a1-sources.ipynb").relative_to(REPO).as_posix()})
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    assert status == 200, body[-2000:]
    reply = json.loads(body)
    assert reply["success"] is True, reply
    failed = reply["value"].get("failed", [])
    assert any(f"missing cell {deleted}" in f["source"] for f in failed), reply["value"]
