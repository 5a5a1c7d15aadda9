"""``hub/hubctl install|start|stop|status|teardown`` (as root)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Sequence

from kthub import environment, postgres, service, system
from kthub.settings import Settings, SettingsError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SETTINGS = REPO / "hub" / "hub.toml"


def install(settings: Settings, repo: Path = REPO, echo=print) -> None:
    """Everything the hub needs, idempotent: a second run only refreshes what changed."""
    system.need_root()
    os.umask(0o022)
    system.ensure_packages(echo)
    system.protect_checkout(repo, echo)
    settings.write()
    shutil.copy2(repo / "hub" / "jupyterhub_config.py", settings.etc / "jupyterhub_config.py")
    settings.state.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.state, 0o700)
    environment.install_proxy(settings, echo)
    environment.build_venv(settings, repo, echo)
    environment.install_jupyter_config(settings, repo)
    edition = environment.build_edition(settings, repo, echo)
    created = [name for name in settings.users() + [settings.grader] if system.ensure_user(settings, name)]
    if created:
        echo(f">>> created {len(created)} unix user(s)")
    if settings.passwords == "generate":
        new = [n for n in created if n != settings.grader]
        if new:
            echo(f">>> new passwords for {len(new)} user(s) in {system.set_passwords(settings, new)} (root only)")
    for student in settings.students:
        system.install_home(settings, student, edition)
    system.install_course(settings, repo)
    system.ensure_exchange(settings)
    postgres.create(settings)
    postgres.start(settings)
    echo(f">>> gradebook: {postgres.ensure_gradebook(settings)}")
    echo(f"installed; start the hub with: hub/hubctl start --settings {settings.source}")


def teardown(settings: Settings, echo=print) -> None:
    """Stop everything and remove what :func:`install` made: its users (only those), the cluster, the exchange course."""
    system.need_root()
    service.stop(settings, echo)
    removed = [name for name in settings.users() + [settings.grader] if system.remove_user(settings, name)]
    postgres.drop(settings)
    shutil.rmtree(Path(settings.exchange) / settings.course_id, ignore_errors=True)
    shutil.rmtree(settings.state, ignore_errors=True)
    for name in ("hub.json", "passwords.csv", "jupyterhub_config.py"):
        (settings.etc / name).unlink(missing_ok=True)
    echo(f"removed {len(removed)} user(s), the cluster {settings.pg_cluster} and the hub's state "
         f"(the environment in {settings.venv} stays, for a quick reinstall)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hub/hubctl", description="The Korean Thaw course on a JupyterHub")
    parser.add_argument("command", choices=["install", "start", "stop", "status", "teardown"])
    parser.add_argument("--settings", default=str(DEFAULT_SETTINGS), help="a TOML file (default: hub/hub.toml)")
    parser.add_argument("--prefix", default=None, help="override the settings' prefix")
    args = parser.parse_args(argv)
    try:
        settings = Settings.load(args.settings, prefix=args.prefix)
        if args.command == "install":
            install(settings)
        elif args.command == "start":
            system.need_root()
            service.start(settings)
        elif args.command == "stop":
            system.need_root()
            service.stop(settings)
        elif args.command == "status":
            print(f"hub: {'running at ' + service.url(settings) if service.answers(settings) else 'not running'}; "
                  f"PostgreSQL {settings.pg_cluster}: {'running' if postgres.running(settings) else 'stopped'}")
        else:
            teardown(settings)
    except (SettingsError, PermissionError, RuntimeError, FileNotFoundError) as exc:
        print(f"error: {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0
