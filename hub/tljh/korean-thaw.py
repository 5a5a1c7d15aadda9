"""The Korean Thaw course on The Littlest JupyterHub: copy to /opt/tljh/config/jupyterhub_config.d/korean-thaw.py.

TLJH loads every ``*.py`` of that folder after its own config (its "escape hatch"),
then ``sudo tljh-config reload hub``. TLJH already makes every hub user a unix user
(``jupyter-<name>``, home 0700 after ``install.sh``) and runs their server as that
user from ``/opt/tljh/user``. This adds what the course needs (course/hub.md):

* the course's Formgrader as a hub-managed service run by the grader account, shared
  by the instructors and TAs (the hub group ``formgrade-korean-thaw``), refused to
  everyone else; its gradebook in PostgreSQL over the local socket (peer auth);
* students' servers without nbgrader's Formgrader and authoring tools.

Edit GRADERS (hub names, as they log in) and, if you changed them in install.sh,
the names and ports below.
"""

COURSE = "korean-thaw"
GRADER = "grader-korean-thaw"                    # unix user made by install.sh; owns ~/korean-thaw/assignments
GRADERS = ["instructor", "ta1"]                  # hub user names of the instructors and TAs
USER_ENV = "/opt/tljh/user"
SERVICE_PORT = 9999
DB_URL = "postgresql+psycopg2://grader-korean-thaw@/korean_thaw_gradebook?host=/var/run/postgresql&port=5432"
EXCHANGE = "/srv/nbgrader/exchange"
PATH = f"{USER_ENV}/bin:/usr/local/bin:/usr/bin:/bin"
GROUP = f"formgrade-{COURSE}"

c = get_config()  # noqa: F821 (provided by traitlets)

c.JupyterHub.load_groups = {GROUP: {"users": GRADERS}}
c.JupyterHub.load_roles = [
    {
        "name": GROUP,
        "description": f"grade {COURSE} in its shared Formgrader",
        "groups": [GROUP],
        "scopes": [f"access:services!service={COURSE}", "list:services", f"read:services!service={COURSE}"],
    },
]
c.JupyterHub.services = [
    {
        "name": COURSE,
        "url": f"http://127.0.0.1:{SERVICE_PORT}",
        "command": [f"{USER_ENV}/bin/jupyterhub-singleuser"],
        "user": GRADER,
        "cwd": f"/home/{GRADER}/korean-thaw",
        "environment": {"PATH": PATH, "JUPYTERHUB_DEFAULT_URL": "/formgrader", "KOREATHAW_DB_URL": DB_URL,
                        "KOREATHAW_EXCHANGE": EXCHANGE},
        "oauth_no_confirm": True,
    },
]
# students: no Formgrader (install.sh writes this folder)
c.Spawner.environment = {"JUPYTER_CONFIG_PATH": "/opt/tljh/config/jupyter-student"}
