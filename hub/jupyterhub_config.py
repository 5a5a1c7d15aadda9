"""JupyterHub for the Korean Thaw course on one Linux machine (installed by ``hub/hubctl install``).

Read with ``KOREATHAW_HUB_SETTINGS`` naming the JSON that ``hubctl`` resolved from
``hub/hub.toml`` (paths, accounts, ports). What it sets up (course/hub.md):

* every student is a real unix user with a private home; PAM logs them in; the
  local-process spawner starts their server *as them*, from the shared environment;
* students' servers have nbgrader's assignment list (fetch, submit, feedback) and
  no Formgrader;
* the course's Formgrader is a hub-managed service, run as the grader account that
  owns the course, reachable by the instructors and teaching assistants (a hub group
  and a role) and by no one else; its gradebook is PostgreSQL (``KOREATHAW_DB_URL``).
"""

import json
import os
from pathlib import Path

S = json.loads(Path(os.environ["KOREATHAW_HUB_SETTINGS"]).read_text(encoding="utf-8"))
VENV_BIN = f"{S['venv']}/bin"
PATH = f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin"
COURSE = S["course_id"]
GROUP = f"formgrade-{COURSE}"  # nbgrader's convention for a course's graders

c = get_config()  # noqa: F821 (provided by traitlets)

# --- network: the proxy users open, the hub and the proxy's API, all on the configured address
c.JupyterHub.ip = S["ip"]
c.JupyterHub.port = S["port"]
c.JupyterHub.hub_ip = S["ip"]
c.JupyterHub.hub_port = S["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://{S['ip']}:{S['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [S["proxy_command"]]
c.JupyterHub.db_url = f"sqlite:///{S['state']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{S['state']}/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every server and the proxy

# --- who may log in: the roster, the instructors and TAs, by their unix passwords (PAM)
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(S["students"]) | set(S["graders"]) | set(S["admins"])
c.Authenticator.admin_users = set(S["admins"])

# --- each user's server, as that unix user, from the shared environment, in their home
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [f"{VENV_BIN}/jupyterhub-singleuser"]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "PATH": PATH,
    "JUPYTER_CONFIG_PATH": S["student_config"],  # no Formgrader or authoring tools for students
    "LANG": "C.UTF-8",
}
c.Spawner.http_timeout = S["spawn_timeout"]
c.Spawner.start_timeout = S["spawn_timeout"]

# --- the course's graders: a group, a role giving it the Formgrader service and nothing else
c.JupyterHub.load_groups = {GROUP: {"users": S["graders"]}}
c.JupyterHub.load_roles = [
    {
        "name": GROUP,
        "description": f"grade {COURSE} in its shared Formgrader",
        "groups": [GROUP],
        "scopes": [f"access:services!service={COURSE}", "list:services", f"read:services!service={COURSE}"],
    },
]

# --- the Formgrader: one Jupyter server as the grader account, in the course, shared by the graders
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": f"http://{S['ip']}:{S['service_port']}",
        "command": [f"{VENV_BIN}/jupyterhub-singleuser"],
        "user": S["grader"],
        "cwd": S["course_repo"],
        "environment": {
            "PATH": PATH,
            "LANG": "C.UTF-8",
            "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            "KOREATHAW_DB_URL": S["db_url"],
            "KOREATHAW_EXCHANGE": S["exchange"],
        },
        "oauth_no_confirm": True,
    },
]
