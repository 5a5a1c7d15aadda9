"""The kernel inside the sandbox: runs a student's cells, and answers the grader's calls.

Started by :mod:`koreathaw_grading.sandbox.launch` as
``python -m koreathaw_grading.sandbox.runner IN_FD OUT_FD`` inside bubblewrap. It
is an IPython shell (the same display, traceback and ``%magic`` machinery an
ipykernel has), talking to the grader over two pipes instead of ZeroMQ: no TCP,
so the sandbox needs no network. Requests (one JSON object per frame, see
:mod:`.wire`):

``{"op": "run", "source": ...}``
    run one cell; every output is sent as it comes (``{"t": "out", "o": ...}``),
    then ``{"t": "done", "status": "ok"|"error", "count": n}``;
``{"op": "lookup", "name": ...}``
    ``{"t": "callable"}``, ``{"t": "value", "v": <codec data>}`` or ``{"t": "missing"}``;
``{"op": "call", "name": ..., "args": ..., "kwargs": ...}``
    call the student's function with decoded arguments; ``{"t": "return", "v": ...}``
    or ``{"t": "raise", "ename": ..., "mro": [...], "evalue": ...}``, after its outputs;
``{"op": "bye"}``  exit.

Nothing here is trusted by the grader: the student's code runs in this process
and can change any of it. What it sends back is checked as data
(:mod:`.codec`, :mod:`.evaluate`); limits are kept by the OS kernel (rlimits and
cgroups set before this process starts, ``RLIMIT_NPROC`` set below before any
student code runs).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sys
from typing import Any

from koreathaw_grading.sandbox import codec, wire

#: Bytes of stream text gathered before it is sent (keeps frames small and order intact).
STREAM_CHUNK = 64 * 1024
#: Bytes of outputs one call's reply may carry (the grader caps again, per cell and notebook).
CALL_OUTPUT_CAP = 4 * 1024 * 1024


class Channel:
    """The runner's end of the pipes, and the outputs of the request being served."""

    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in, self.fd_out = fd_in, fd_out
        self.collect: list[dict[str, Any]] | None = None  # a call's outputs go here, not to the pipe
        self.collected = 0

    def output(self, out: dict[str, Any]) -> None:
        if self.collect is None:
            wire.send(self.fd_out, {"t": "out", "o": out})
            return
        size = sum(len(str(v)) for v in out.values())
        if self.collected + size <= CALL_OUTPUT_CAP:
            self.collect.append(out)
        self.collected += size

    def reply(self, message: dict[str, Any]) -> None:
        """Send the reply; one too large for a frame becomes an 'uncarriable' reply (no outputs)."""
        try:
            frame = wire.encode_frame(message)
        except wire.ProtocolError as exc:
            frame = wire.encode_frame({"t": "uncarriable", "why": str(exc)[:500], "outputs": []})
        wire.send_frame(self.fd_out, frame)


class Stream:
    """``sys.stdout``/``sys.stderr``: text gathered and sent as ``stream`` outputs."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, channel: Channel, name: str) -> None:
        self.channel, self.name, self.parts, self.size = channel, name, [], 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        for start in range(0, len(text), STREAM_CHUNK):  # a huge write goes out in frames of a chunk each
            piece = text[start:start + STREAM_CHUNK]
            self.parts.append(piece)
            self.size += len(piece)
            if self.size >= STREAM_CHUNK:
                self.flush()
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if self.parts:
            text, self.parts, self.size = "".join(self.parts), [], 0
            self.channel.output({"output_type": "stream", "name": self.name, "text": text})

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("no file descriptor")

    @property
    def closed(self) -> bool:
        return False


def make_shell(channel: Channel, streams: tuple[Stream, Stream]):
    """An IPython shell whose results, displays and errors become notebook outputs."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    def flush() -> None:
        for stream in streams:
            stream.flush()

    class Hook(DisplayHook):
        def start_displayhook(self) -> None:
            flush()
            self.msg = {"output_type": "execute_result", "data": {}, "metadata": {}}

        def write_output_prompt(self) -> None:
            self.msg["execution_count"] = self.prompt_count

        def write_format_data(self, format_dict, md_dict=None) -> None:
            self.msg["data"] = format_dict
            self.msg["metadata"] = md_dict or {}

        def finish_displayhook(self) -> None:
            channel.output(self.msg)

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs) -> None:
            flush()
            kind = "update_display_data" if update else "display_data"
            channel.output({"output_type": kind, "data": data, "metadata": metadata or {},
                            "transient": transient or {}})

        def clear_output(self, wait: bool = False) -> None:
            flush()
            channel.output({"output_type": "clear_output", "wait": bool(wait)})

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None) -> None:
            """``%matplotlib inline`` (or plain ``%matplotlib``) as in ipykernel: figures inline, no event loop."""
            if gui not in (None, "inline"):
                from IPython.core.error import UsageError
                raise UsageError(f"no GUI event loop in the grading sandbox (asked for {gui!r})")
            self.active_eventloop = gui

        def _showtraceback(self, etype, evalue, stb) -> None:
            flush()
            channel.output({"output_type": "error", "ename": getattr(etype, "__name__", str(etype)),
                            "evalue": _text(evalue), "traceback": list(stb)})

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    shell = Shell.instance(config=config, displayhook_class=Hook, display_pub_class=Publisher)
    shell.displayhook.shell = shell
    return shell


def _text(value: Any, limit: int = 10_000) -> str:
    try:
        return str(value)[:limit]
    except Exception:  # a student's __str__ that raises
        return f"<{type(value).__name__}: str() failed>"


def _exception(exc: BaseException) -> dict[str, Any]:
    return {"t": "raise", "ename": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__][:30],
            "evalue": _text(exc)}


def serve(channel: Channel, shell, streams: tuple[Stream, Stream]) -> None:
    """Answer requests until ``bye`` or the end of the pipe."""
    while True:
        try:
            request = wire.receive(channel.fd_in)
        except wire.Closed:
            return
        except KeyboardInterrupt:  # an interrupt that came too late: nothing is running
            continue
        op = request.get("op")
        if op == "bye":
            return
        try:
            if op == "run":
                result = shell.run_cell(str(request.get("source", "")), store_history=True)
                for stream in streams:
                    stream.flush()
                failed = result.error_before_exec is not None or result.error_in_exec is not None
                channel.reply({"t": "done", "status": "error" if failed else "ok",
                               "count": shell.execution_count - 1})
            elif op == "lookup":
                lookup(channel, shell, str(request.get("name")))
            elif op == "call":
                call(channel, shell, request, streams)
            else:
                channel.reply({"t": "raise", "ename": "ValueError", "mro": ["ValueError"], "evalue": f"unknown op {op!r}"})
        except KeyboardInterrupt:
            channel.collect = None
            channel.reply({"t": "raise", "ename": "KeyboardInterrupt", "mro": ["KeyboardInterrupt"], "evalue": ""})


def lookup(channel: Channel, shell, name: str) -> None:
    missing = object()
    value = shell.user_ns.get(name, missing)
    if value is missing:
        channel.reply({"t": "missing"})
    elif callable(value):
        channel.reply({"t": "callable"})
    else:
        try:
            channel.reply({"t": "value", "v": codec.encode(value)})
        except Exception as exc:
            channel.reply({"t": "uncarriable", "why": _text(exc, 500)})


def call(channel: Channel, shell, request: dict[str, Any], streams: tuple[Stream, Stream]) -> None:
    """Call the student's function ``request["name"]``; reply with its value or its exception, and its outputs."""
    name = str(request.get("name"))
    function = shell.user_ns.get(name)
    if function is None:
        channel.reply({"t": "missing"})
        return
    channel.collect, channel.collected = [], 0
    reply: dict[str, Any]
    try:
        args = codec.decode(request.get("args", {"$": "list", "v": []}))
        kwargs = codec.decode(request.get("kwargs", {"$": "dict", "v": []}))
        value = function(*args, **kwargs)
        for stream in streams:
            stream.flush()
        reply = {"t": "return", "v": codec.encode(value)}
    except codec.CodecError as exc:
        reply = {"t": "uncarriable", "why": _text(exc, 500)}
    except BaseException as exc:  # the student's exception, KeyboardInterrupt and SystemExit included
        for stream in streams:
            stream.flush()
        reply = _exception(exc)
    outputs, channel.collect = channel.collect or [], None
    reply["outputs"] = outputs
    channel.reply(reply)


def prepare() -> None:
    """Before any student code: the submission's copy in the working folder, and no more processes.

    ``KOREATHAW_NPROC`` is how many more processes or threads student code may
    start. ``RLIMIT_NPROC`` counts them per user in this sandbox's own user
    namespace; once set here, no unprivileged process can raise it again.
    """
    # The grader interrupts a cell with SIGINT. A grader started in the background (`make autograde &`,
    # nohup, a service) hands its children an *ignored* SIGINT, and Python then installs no handler:
    # every loop would run on to the kill. Take the default handler back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    source, work = os.environ.get("KOREATHAW_SUBMISSION"), os.getcwd()
    if source and os.path.isdir(source):
        shutil.copytree(source, work, dirs_exist_ok=True, symlinks=True)
    extra = os.environ.get("KOREATHAW_NPROC")
    if extra is not None:
        tasks = sum(len(os.listdir(f"/proc/{pid}/task")) for pid in os.listdir("/proc") if pid.isdigit())
        limit = tasks + max(0, int(extra))
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def main(argv: list[str]) -> int:
    fd_in, fd_out = int(argv[0]), int(argv[1])
    prepare()
    channel = Channel(fd_in, fd_out)
    streams = (Stream(channel, "stdout"), Stream(channel, "stderr"))
    sys.stdout, sys.stderr = streams  # type: ignore[assignment]
    shell = make_shell(channel, streams)
    channel.reply({"t": "ready", "pid": os.getpid()})
    serve(channel, shell, streams)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
