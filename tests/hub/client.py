"""A student or grader at a JupyterHub, as a browser and JupyterLab would be: HTTP and websockets only.

``User.login`` posts the hub's login form (PAM checks the unix password), gets a
token of the user's own, starts their server and waits until it answers. After
that everything goes through that server's own REST API with that token: the
contents API, nbgrader's assignment list (fetch, submit, fetch feedback), and a
kernel of the user's own driven over its websocket (``User.run``), the way
JupyterLab runs a cell.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests


class HubError(RuntimeError):
    """The hub or a server answered something a working course never does."""


@dataclass
class User:
    base: str                      # http://127.0.0.1:PORT
    name: str
    token: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    timings: dict[str, float] = field(default_factory=dict)

    # ------------------------------------------------------------------ the hub
    def login(self, password: str) -> None:
        """The login form (PAM), then a token of the user's own, made with the login cookie."""
        page = self.session.get(f"{self.base}/hub/login", timeout=60)
        xsrf = self.session.cookies.get("_xsrf", "")
        reply = self.session.post(f"{self.base}/hub/login?next=", data={"username": self.name, "password": password,
                                                                        "_xsrf": xsrf}, allow_redirects=False, timeout=120)
        if reply.status_code != 302 or page.status_code != 200:
            raise HubError(f"{self.name}: login refused ({reply.status_code}): {reply.text[:300]}")
        reply = self.session.post(f"{self.base}/hub/api/users/{self.name}/tokens", json={"note": "hub-test"},
                                  headers={"X-XSRFToken": self.session.cookies.get("_xsrf", xsrf)}, timeout=60)
        if reply.status_code != 201:
            raise HubError(f"{self.name}: no token ({reply.status_code}): {reply.text[:300]}")
        self.token = reply.json()["token"]

    def hub(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the hub's REST API with the user's token."""
        return requests.request(method, f"{self.base}/hub/api{path}", headers=self._auth(), timeout=120, **kwargs)

    def start_server(self, timeout: float) -> None:
        """Ask the hub for the user's server and wait until the server itself answers with the user's token."""
        reply = self.hub("POST", f"/users/{self.name}/server")
        if reply.status_code not in (201, 202, 400):  # 400: already running
            raise HubError(f"{self.name}: spawn refused ({reply.status_code}): {reply.text[:300]}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.hub("GET", f"/users/{self.name}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready") and self.get("/api/status").status_code == 200:
                return
            time.sleep(0.5)
        raise HubError(f"{self.name}: server not ready after {timeout:.0f} s")

    def stop_server(self) -> None:
        self.hub("DELETE", f"/users/{self.name}/server")

    # ------------------------------------------------------------------ the user's own server
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def url(self, path: str, owner: str | None = None) -> str:
        return f"{self.base}/user/{owner or self.name}{path}"

    def get(self, path: str, owner: str | None = None, **kwargs) -> requests.Response:
        return requests.get(self.url(path, owner), headers=self._auth(), timeout=120, allow_redirects=False, **kwargs)

    def request(self, method: str, path: str, owner: str | None = None, **kwargs) -> requests.Response:
        return requests.request(method, self.url(path, owner), headers=self._auth(), timeout=300,
                                allow_redirects=False, **kwargs)

    def read(self, path: str, owner: str | None = None) -> requests.Response:
        """GET a file or folder through a server's contents API (by default the user's own)."""
        return self.get(f"/api/contents/{quote(path)}?content=1", owner)

    def write(self, path: str, model: dict[str, Any], owner: str | None = None) -> requests.Response:
        return self.request("PUT", f"/api/contents/{quote(path)}", owner, json=model)

    def notebook(self, path: str) -> dict[str, Any]:
        reply = self.read(path)
        if reply.status_code != 200:
            raise HubError(f"{self.name}: cannot read {path} ({reply.status_code}): {reply.text[:300]}")
        return reply.json()["content"]

    def save_notebook(self, path: str, nb: dict[str, Any]) -> None:
        reply = self.write(path, {"type": "notebook", "format": "json", "content": nb})
        if reply.status_code not in (200, 201):
            raise HubError(f"{self.name}: cannot save {path} ({reply.status_code}): {reply.text[:300]}")

    # ------------------------------------------------------------------ nbgrader's assignment list
    def assignments(self, course: str) -> list[dict[str, Any]]:
        reply = self.get(f"/assignments?course_id={course}")
        if reply.status_code != 200:
            raise HubError(f"{self.name}: assignment list ({reply.status_code}): {reply.text[:300]}")
        body = reply.json()
        if not body.get("success"):
            raise HubError(f"{self.name}: assignment list failed: {body}")
        return body["value"]

    def nbgrader(self, action: str, course: str, assignment: str) -> Any:
        """fetch, submit or fetch_feedback through the server's nbgrader extension, as the Assignments tab does."""
        reply = self.request("POST", f"/assignments/{action}", data={"course_id": course, "assignment_id": assignment})
        if reply.status_code != 200:
            raise HubError(f"{self.name}: {action} ({reply.status_code}): {reply.text[:300]}")
        body = reply.json()
        if not body.get("success"):
            raise HubError(f"{self.name}: {action} failed: {str(body.get('value'))[-1500:]}")
        return body["value"]

    # ------------------------------------------------------------------ a kernel of the user's own
    def run(self, code: str, kernel: str = "python3", timeout: float = 300) -> str:
        """Start a kernel on the user's server, run ``code`` over the websocket, return its stdout; stop the kernel."""
        import websocket

        reply = self.request("POST", "/api/kernels", json={"name": kernel})
        if reply.status_code != 201:
            raise HubError(f"{self.name}: no kernel ({reply.status_code}): {reply.text[:300]}")
        kernel_id = reply.json()["id"]
        try:
            ws_url = self.url(f"/api/kernels/{kernel_id}/channels").replace("http://", "ws://", 1)
            ws = websocket.create_connection(ws_url, header=[f"Authorization: token {self.token}"], timeout=timeout)
            try:
                return _execute(ws, code, timeout)
            finally:
                ws.close()
        finally:
            self.request("DELETE", f"/api/kernels/{kernel_id}")


def _execute(ws, code: str, timeout: float) -> str:
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({"header": {"msg_id": msg_id, "username": "", "session": uuid.uuid4().hex, "msg_type":
                                   "execute_request", "version": "5.3"}, "parent_header": {}, "metadata": {},
                        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                                    "allow_stdin": False, "stop_on_error": True}, "channel": "shell", "buffers": []}))
    out, error, done = [], None, {"idle": False, "reply": False}
    deadline = time.monotonic() + timeout
    while not all(done.values()):
        if time.monotonic() > deadline:
            raise HubError(f"the kernel did not finish within {timeout:.0f} s")
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            done["idle"] = True
        elif kind == "execute_reply":
            done["reply"] = True
    if error:
        raise HubError(f"the code raised {error}; printed: {''.join(out)[-1000:]}")
    return "".join(out)
