"""The hub's files are well formed: settings, the hub config, and the TLJH and Zero to JupyterHub configs.

Fast (no hub is started): every Python file compiles, every YAML file parses, the
shell script passes ``bash -n``, and the keys each deployment needs are there --
the Helm values only with keys the jupyterhub chart (4.x) knows. The hub config is
loaded as JupyterHub loads it, with settings resolved from ``hub/hub.toml``.
"""

from __future__ import annotations

import json
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HUB = REPO / "hub"
sys.path.insert(0, str(HUB))

from kthub.settings import Settings, SettingsError, read_roster  # noqa: E402

#: Keys of the jupyterhub Helm chart 4.x's values (values.schema.yaml) that the course's config may use.
CHART_KEYS = {
    "hub", "hub.config", "hub.services", "hub.loadRoles", "hub.extraConfig", "hub.db", "hub.extraEnv",
    "singleuser", "singleuser.image", "singleuser.image.name", "singleuser.image.tag", "singleuser.defaultUrl",
    "singleuser.uid", "singleuser.fsGid", "singleuser.storage", "singleuser.storage.type",
    "singleuser.storage.capacity", "singleuser.storage.extraVolumes", "singleuser.storage.extraVolumeMounts",
    "singleuser.memory", "singleuser.memory.guarantee", "singleuser.memory.limit", "singleuser.cpu",
    "singleuser.cpu.limit", "singleuser.cpu.guarantee", "singleuser.networkPolicy",
    "singleuser.networkPolicy.egressAllowRules", "singleuser.networkPolicy.egressAllowRules.privateIPs",
    "singleuser.extraEnv", "singleuser.profileList", "singleuser.cmd",
}
#: Free-form subtrees of the chart (passed to JupyterHub as they are).
FREE = ("hub.config.", "hub.services.", "hub.loadRoles.", "hub.extraConfig.", "hub.db.", "singleuser.extraEnv.",
        "hub.extraEnv.")


def key_paths(tree, prefix: str = "") -> set[str]:
    out = set()
    for key, value in tree.items():
        path = f"{prefix}{key}"
        out.add(path)
        if isinstance(value, dict) and not path.startswith(FREE) and path + "." not in FREE:
            out |= key_paths(value, path + ".")
    return out


@pytest.mark.parametrize("path", sorted(p.relative_to(REPO) for p in HUB.rglob("*.py")) + [Path("hub/hubctl")],
                         ids=str)
def test_python_files_compile(path, tmp_path):
    """Every Python file of hub/ (the configs, kthub, hubctl) is valid Python."""
    py_compile.compile(str(REPO / path), cfile=str(tmp_path / "x.pyc"), doraise=True)


def test_tljh_install_script_is_valid_bash():
    """hub/tljh/install.sh parses (bash -n), stops on errors, and sets the exchange modes nbgrader documents."""
    script = HUB / "tljh" / "install.sh"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    text = script.read_text()
    assert "set -euo pipefail" in text
    for mode, folder in (("1777", "$EXCHANGE"), ("2733", "inbound"), ("711", "feedback"), ("755", "outbound")):
        assert f"-m {mode}" in text and folder in text, mode


def load_config(path: Path, env: dict[str, str], monkeypatch):
    """A JupyterHub config file loaded as JupyterHub loads it (traitlets), with ``env`` set."""
    from traitlets.config.loader import PyFileConfigLoader

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def test_hub_config_loads_with_the_settings(tmp_path, monkeypatch):
    """hub/jupyterhub_config.py, read with hub/hub.toml's settings: PAM, every student allowed, the graders'
    group and role, the Formgrader service run as the grader with the PostgreSQL gradebook."""
    settings = Settings.load(HUB / "hub.toml", prefix=str(tmp_path / "prefix"))
    (tmp_path / "hub.json").write_text(json.dumps(settings.resolved()))
    c = load_config(HUB / "jupyterhub_config.py", {"KOREATHAW_HUB_SETTINGS": str(tmp_path / "hub.json")}, monkeypatch)
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.allowed_users == {"student01", "student02", "student03", "instructor", "ta1"}
    assert c.Authenticator.admin_users == set()
    assert c.JupyterHub.load_groups == {"formgrade-korean-thaw": {"users": ["instructor", "ta1"]}}
    (role,) = c.JupyterHub.load_roles
    assert role["groups"] == ["formgrade-korean-thaw"] and "access:services!service=korean-thaw" in role["scopes"]
    (service,) = c.JupyterHub.services
    assert service["name"] == "korean-thaw" and service["user"] == "grader-korean-thaw"
    assert service["environment"]["KOREATHAW_DB_URL"].startswith("postgresql+psycopg2://grader-korean-thaw@/")
    assert c.Spawner.cmd == [f"{tmp_path}/prefix/venv/bin/jupyterhub-singleuser"]
    assert c.JupyterHub.ip == "127.0.0.1"


def test_tljh_config_loads(monkeypatch):
    """hub/tljh/korean-thaw.py gives the same service, group and role on TLJH's paths."""
    c = load_config(HUB / "tljh" / "korean-thaw.py", {}, monkeypatch)
    (service,) = c.JupyterHub.services
    assert service["command"] == ["/opt/tljh/user/bin/jupyterhub-singleuser"]
    assert service["user"] == "grader-korean-thaw" and "KOREATHAW_DB_URL" in service["environment"]
    assert "formgrade-korean-thaw" in c.JupyterHub.load_groups
    assert c.JupyterHub.load_roles[0]["groups"] == ["formgrade-korean-thaw"]


def test_z2jh_values_parse_and_use_known_chart_keys():
    """hub/z2jh/config.yaml parses, uses only keys the chart knows, registers ngshare, and its Python compiles."""
    values = yaml.safe_load((HUB / "z2jh" / "config.yaml").read_text())
    unknown = sorted(p for p in key_paths(values) if p not in CHART_KEYS and not p.startswith(FREE))
    assert unknown == [], unknown
    assert values["hub"]["services"]["ngshare"]["url"].startswith("http://ngshare.")
    assert "access:services!service=ngshare" in values["hub"]["loadRoles"]["user"]["scopes"]
    assert values["singleuser"]["image"]["tag"] not in ("", "latest")
    for name, code in values["hub"]["extraConfig"].items():
        compile(code, f"hub.extraConfig.{name}", "exec")
    ngshare = yaml.safe_load((HUB / "z2jh" / "ngshare-values.yaml").read_text())
    assert ngshare["ngshare"]["hub_api_token"] and ngshare["pvc"]["storage"]


def test_z2jh_image_is_built_from_the_student_edition():
    """The Dockerfile copies the student edition (no solutions), pins its base image and every package."""
    text = (HUB / "z2jh" / "Dockerfile").read_text()
    froms = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert froms and all(":" in f and not f.endswith(":latest") for f in froms)
    copies = [line for line in text.splitlines() if line.startswith("COPY ")]
    assert all(line.split()[1] in ("dist/student", "hub/z2jh/nbgrader_config.py") for line in copies), copies
    assert "assignments/source" not in text and "requirements.lock" in text and "ngshare-exchange==" in text


def test_settings_example_and_roster():
    """hub/hub.toml reads, with the example roster's students, the grader's course and the PostgreSQL URL."""
    settings = Settings.load(HUB / "hub.toml")
    assert settings.students == read_roster(HUB / "students.example.csv") == ["student01", "student02", "student03"]
    assert settings.graders == ["instructor", "ta1"]
    assert str(settings.course_root) == "/home/grader-korean-thaw/korean-thaw/assignments"
    assert settings.db_url == ("postgresql+psycopg2://grader-korean-thaw@/korean_thaw_gradebook"
                               "?host=/var/run/postgresql&port=5433")


@pytest.mark.parametrize("overrides, message", [
    ({"students": ["Bad Name"]}, "students: 'Bad Name' is not a usable unix name"),
    ({"grader": "student01"}, "must not also be a hub user"),
    ({"port": 5433}, "the ports must be distinct"),
    ({"prefix": "relative/path"}, "prefix must be an absolute path"),
    ({"passwords": "maybe"}, "passwords must be 'generate' or 'keep'"),
])
def test_settings_errors_name_the_problem(overrides, message):
    """A setting that cannot work is an error naming the file and the problem."""
    with pytest.raises(SettingsError, match=message):
        Settings.load(HUB / "hub.toml", **overrides)


def test_settings_unknown_key_and_bad_roster(tmp_path):
    """An unknown key names the known ones; a roster row that is no unix name names its line."""
    bad = tmp_path / "hub.toml"
    bad.write_text('course = "x"\nstudents = ["a1"]\n')
    with pytest.raises(SettingsError, match=r"unknown setting\(s\) course"):
        Settings.load(bad)
    roster = tmp_path / "r.csv"
    roster.write_text("id\nann\nBob Smith\n")
    with pytest.raises(SettingsError, match="line 3: 'Bob Smith'"):
        read_roster(roster)


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_hubctl_refuses_without_root_or_with_bad_settings(tmp_path):
    """hubctl says what is wrong, with exit status 2, instead of a traceback."""
    bad = tmp_path / "hub.toml"
    bad.write_text("port = 'eighty'\n")
    proc = subprocess.run([sys.executable, str(HUB / "hubctl"), "status", "--settings", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("error: status:")
