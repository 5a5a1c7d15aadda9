"""Messages between the trusted grader and the sandboxed runner: length-prefixed JSON on pipes.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON (one
object). The runner writes with :func:`send` and reads with :func:`receive`
(blocking: it has nothing else to do). The grader reads with a :class:`Reader`,
which never blocks for long (it must watch the clock and the sandbox's CPU time
meanwhile) and never holds more than ``max_frame`` bytes of a frame: whatever
the other side writes is untrusted data.
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time
from typing import Any

HEADER = struct.Struct(">I")
#: The largest frame either side accepts (a frame holds one output, or one value): a cell keeps
#: 2 MB of output, and an answer of this size is far beyond any assignment's.
MAX_FRAME = 16 * 1024 * 1024
#: The most lists and objects a frame may hold: JSON's ``[]`` is 2 bytes, Python's list 56, so a frame of
#: nothing else would cost the grader 30 times its size; strings are not counted.
MAX_CONTAINERS = 1_000_000
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


class ProtocolError(Exception):
    """The other side broke the protocol (a frame too large, not JSON, not an object...)."""


class Closed(Exception):
    """The other side closed its end (it exited or died)."""


class Stuck(OSError):
    """The other side stopped reading: a frame could not be written before the deadline."""


def encode_frame(message: dict[str, Any]) -> bytes:
    """One frame holding ``message``."""
    body = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ProtocolError(f"a message of {len(body)} bytes is larger than the {MAX_FRAME} a frame may hold")
    return HEADER.pack(len(body)) + body


def send(fd: int, message: dict[str, Any], deadline: float | None = None) -> None:
    """Write one message to ``fd``, whole: blocking, or by ``deadline`` (``time.monotonic()``) or :class:`Stuck`."""
    send_frame(fd, encode_frame(message), deadline)


def send_frame(fd: int, frame: bytes, deadline: float | None = None) -> None:
    """Write one encoded frame to ``fd``, whole. With a ``deadline`` the grader never blocks on a
    reader that stopped reading (a kernel may fill the pipe and sleep): :class:`Stuck` when it passes."""
    data = memoryview(frame)
    if deadline is not None:
        os.set_blocking(fd, False)
    while data:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Stuck(f"the other side read nothing for the last {len(data)} bytes of a frame")
            if not select.select([], [fd], [], min(left, 0.5))[1]:
                continue
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            continue
        data = data[written:]


def _read_exact(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise Closed("the other side closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def decode_body(body: bytes) -> dict[str, Any]:
    """The message a frame's body holds, or a :class:`ProtocolError`."""
    if body.count(b"[") + body.count(b"{") > MAX_CONTAINERS:
        containers = sum(bare.count(b"[") + bare.count(b"{") for bare in _STRING.split(body))
        if containers > MAX_CONTAINERS:
            raise ProtocolError(f"a frame holds {containers} lists and objects, more than the {MAX_CONTAINERS} allowed")
    try:
        message = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"a frame is not UTF-8 JSON: {type(exc).__name__}: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame does not hold a JSON object")
    return message


def receive(fd: int) -> dict[str, Any]:
    """Read one message from ``fd`` (blocking); :class:`Closed` at the end of the pipe."""
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size))
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes is larger than the {MAX_FRAME} allowed")
    return decode_body(_read_exact(fd, size))


class Reader:
    """Non-blocking reader of frames from an untrusted pipe."""

    def __init__(self, fd: int, max_frame: int = MAX_FRAME) -> None:
        self.fd = fd
        self.max_frame = max_frame
        self.buffer = bytearray()
        self.closed = False

    def _frame(self) -> dict[str, Any] | None:
        if len(self.buffer) < HEADER.size:
            return None
        (size,) = HEADER.unpack_from(self.buffer)
        if size > self.max_frame:
            raise ProtocolError(f"a frame of {size} bytes is larger than the {self.max_frame} allowed")
        if len(self.buffer) < HEADER.size + size:
            return None
        body = bytes(self.buffer[HEADER.size:HEADER.size + size])
        del self.buffer[:HEADER.size + size]
        return decode_body(body)

    def poll(self, timeout: float) -> dict[str, Any] | None:
        """The next message if one arrives within ``timeout`` seconds, else None.

        Raises :class:`Closed` once the pipe has ended and no whole frame is left,
        :class:`ProtocolError` for a bad frame.
        """
        message = self._frame()
        if message is not None:
            return message
        if self.closed:
            raise Closed("the other side closed the pipe")
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return None
        chunk = os.read(self.fd, 1 << 20)
        if not chunk:
            self.closed = True
            message = self._frame()
            if message is None:
                raise Closed("the other side closed the pipe")
            return message
        self.buffer += chunk
        return self._frame()
