"""What the hub is: one TOML file (``hub/hub.toml``), checked, resolved into the JSON the hub config reads.

Every name and path the other modules use comes from a :class:`Settings`; nothing
is typed twice. ``resolved()`` is what ``jupyterhub_config.py`` reads (through
``KOREATHAW_HUB_SETTINGS``), so the running hub and the setup agree by construction.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

#: A unix user or group name the setup may create (Debian's useradd rule, kept strict).
UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
#: PostgreSQL database and cluster names the setup may create.
PG_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,62}$")


class SettingsError(ValueError):
    """A setting that cannot work; the message names the file, the key and the problem."""


@dataclass
class Settings:
    """The course's hub. Defaults are a real single-server install; tests override prefix, ports and names."""

    course_id: str = "korean-thaw"
    prefix: str = "/opt/koreathaw"             # venv/, node/, etc/, state/ live here
    exchange: str = "/srv/nbgrader/exchange"   # nbgrader's exchange root (shared by everyone)
    home_base: str = "/home"
    grader: str = "grader-korean-thaw"         # the unix user that owns the course and runs the formgrader
    instructors: list[str] = field(default_factory=lambda: ["instructor"])
    tas: list[str] = field(default_factory=list)
    admins: list[str] = field(default_factory=list)   # hub admins (they can reach every server: keep it short)
    students: list[str] = field(default_factory=list)
    roster: str = ""                           # CSV with a column 'id', read into students
    passwords: str = "generate"                # "generate": new local passwords (etc/passwords.csv); "keep": the site's
    ip: str = "127.0.0.1"
    port: int = 8000                           # the proxy: the address users open
    hub_port: int = 8081
    proxy_api_port: int = 8001
    service_port: int = 9999                   # the course's formgrader service
    pg_version: str = "15"
    pg_cluster: str = "koreathaw"
    pg_port: int = 5433
    database: str = "korean_thaw_gradebook"
    marker: str = "koreathaw-hub"              # the comment (GECOS) of every unix user the setup creates
    spawn_timeout: int = 300
    source: str = ""                           # the file these settings came from (for messages)

    # ------------------------------------------------------------------ derived
    @property
    def venv(self) -> Path:
        return Path(self.prefix) / "venv"

    @property
    def etc(self) -> Path:
        return Path(self.prefix) / "etc"

    @property
    def state(self) -> Path:
        return Path(self.prefix) / "state"

    @property
    def node(self) -> Path:
        return Path(self.prefix) / "node"

    @property
    def graders(self) -> list[str]:
        """Everyone who may use the course's formgrader: instructors and teaching assistants."""
        return list(dict.fromkeys(self.instructors + self.tas))

    @property
    def course_repo(self) -> Path:
        """The instructor's copy of the course in the grader's home (never readable by students)."""
        return Path(self.home_base) / self.grader / "korean-thaw"

    @property
    def course_root(self) -> Path:
        return self.course_repo / "assignments"

    @property
    def db_url(self) -> str:
        """The gradebook: PostgreSQL over the local socket, the grader's role by peer authentication (no password)."""
        return (f"postgresql+psycopg2://{self.grader}@/{self.database}"
                f"?host=/var/run/postgresql&port={self.pg_port}")

    def users(self) -> list[str]:
        """Every hub user (students, instructors, TAs), in order, once."""
        return list(dict.fromkeys(self.students + self.graders + self.admins))

    # ------------------------------------------------------------------ load, check, resolve
    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> "Settings":
        """Read a TOML file (or none), apply ``overrides``, read the roster, check everything."""
        data: dict[str, Any] = {}
        if path:
            try:
                data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise SettingsError(f"{path}: {exc}") from None
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        data.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**data, **({} if "source" in data else {"source": str(path or "defaults")}))
        if settings.roster:
            roster = Path(settings.roster)
            if not roster.is_absolute() and path:
                roster = Path(path).resolve().parent / roster
            settings.students = list(dict.fromkeys(settings.students + read_roster(roster)))
        settings.check()
        return settings

    def check(self) -> None:
        """Raise :class:`SettingsError` for a name, path or port that cannot work."""
        where = self.source
        for f in fields(self):
            value, kind = getattr(self, f.name), {"int": int, "str": str}.get(str(f.type), list)
            if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)) \
                    or (kind is int and isinstance(value, bool)):
                raise SettingsError(f"{where}: {f.name} must be {'a list of names' if kind is list else kind.__name__}, "
                                    f"not {value!r}")
        if not UNIX_NAME.match(self.grader):
            raise SettingsError(f"{where}: grader {self.grader!r} is not a usable unix name")
        for key in ("instructors", "tas", "admins", "students"):
            for name in getattr(self, key):
                if not UNIX_NAME.match(name):
                    raise SettingsError(f"{where}: {key}: {name!r} is not a usable unix name "
                                        "(lower-case letters, digits, '_' and '-', at most 32, not starting with a digit)")
        if self.grader in self.users():
            raise SettingsError(f"{where}: the grader account {self.grader!r} must not also be a hub user")
        for key in ("pg_cluster", "database", "course_id"):
            if not PG_NAME.match(getattr(self, key)):
                raise SettingsError(f"{where}: {key} {getattr(self, key)!r} must be lower-case letters, digits, '_', '-'")
        for key in ("prefix", "exchange", "home_base"):
            if not Path(getattr(self, key)).is_absolute():
                raise SettingsError(f"{where}: {key} must be an absolute path, not {getattr(self, key)!r}")
        ports = [self.port, self.hub_port, self.proxy_api_port, self.service_port, self.pg_port]
        if len(set(ports)) != len(ports) or not all(0 < p < 65536 for p in ports):
            raise SettingsError(f"{where}: the ports must be distinct and between 1 and 65535: {ports}")
        if self.passwords not in ("generate", "keep"):
            raise SettingsError(f"{where}: passwords must be 'generate' or 'keep', not {self.passwords!r}")
        if not self.students:
            raise SettingsError(f"{where}: no students: give a roster (CSV with a column 'id') or a students list")

    def resolved(self) -> dict[str, Any]:
        """Everything the hub's config needs, paths resolved (written to ``etc/hub.json``)."""
        out = asdict(self)
        out.update(venv=str(self.venv), etc=str(self.etc), state=str(self.state), node=str(self.node),
                   graders=self.graders, course_repo=str(self.course_repo), course_root=str(self.course_root),
                   db_url=self.db_url, student_config=str(self.etc / "jupyter-student"),
                   proxy_command=str(self.node / "node_modules" / ".bin" / "configurable-http-proxy"))
        return out

    def write(self) -> Path:
        """Write ``etc/hub.json`` (readable by root only: it names every account)."""
        self.etc.mkdir(parents=True, exist_ok=True)
        path = self.etc / "hub.json"
        path.write_text(json.dumps(self.resolved(), indent=1) + "\n", encoding="utf-8")
        path.chmod(0o600)
        return path


def read_roster(path: Path) -> list[str]:
    """The ids of a roster CSV (column ``id``); an error names the file and line."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise SettingsError(f"roster {path}: {exc}") from None
    if rows and "id" not in rows[0]:
        raise SettingsError(f"roster {path}: needs a column named 'id'")
    ids = []
    for line, row in enumerate(rows, start=2):
        name = (row.get("id") or "").strip()
        if not UNIX_NAME.match(name):
            raise SettingsError(f"roster {path}, line {line}: {name!r} is not a usable unix name for a student")
        ids.append(name)
    return ids
