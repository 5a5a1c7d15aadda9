"""Frames on pipes between the grader and the sandbox (sandbox.wire): whatever arrives is untrusted."""

from __future__ import annotations

import os

import pytest

from koreathaw_grading.sandbox import wire


def test_send_and_receive_a_message():
    """A message sent whole arrives whole."""
    r, w = os.pipe()
    wire.send(w, {"op": "run", "source": "print('é')"})
    assert wire.receive(r) == {"op": "run", "source": "print('é')"}
    os.close(w)
    with pytest.raises(wire.Closed):
        wire.receive(r)
    os.close(r)


def test_reader_waits_without_blocking_and_reassembles_split_frames():
    """Half a frame is no message yet; the rest completes it."""
    r, w = os.pipe()
    frame = wire.encode_frame({"t": "done"})
    reader = wire.Reader(r)
    assert reader.poll(0.01) is None
    os.write(w, frame[:3])
    assert reader.poll(0.05) is None
    os.write(w, frame[3:] + wire.encode_frame({"t": "x"}))
    assert reader.poll(0.05) == {"t": "done"}
    assert reader.poll(0.05) == {"t": "x"}
    os.close(w)
    with pytest.raises(wire.Closed):
        reader.poll(0.05)
    os.close(r)


@pytest.mark.parametrize("raw, message", [
    (wire.HEADER.pack(10**9), "larger than"),
    (wire.HEADER.pack(3) + b"\xff\xfe\x00", "not UTF-8 JSON"),
    (wire.HEADER.pack(2) + b"[]", "not hold a JSON object"),
])
def test_reader_refuses_bad_frames(raw, message):
    """A frame too large, not JSON or not an object is a ProtocolError, never a crash or a huge buffer."""
    r, w = os.pipe()
    os.write(w, raw)
    reader = wire.Reader(r, max_frame=1024)
    with pytest.raises(wire.ProtocolError, match=message):
        reader.poll(0.1)
    os.close(r)
    os.close(w)


def test_a_message_too_large_to_send_is_refused():
    """The sender refuses a frame beyond the limit (the runner then reports the value as uncarriable)."""
    with pytest.raises(wire.ProtocolError):
        wire.encode_frame({"v": "x" * (wire.MAX_FRAME + 1)})


def test_a_frame_of_nothing_but_lists_is_refused_before_it_is_parsed():
    """``[[],[],...]``: 3 bytes of JSON each, 60 of Python; past MAX_CONTAINERS the frame is refused unparsed.
    Brackets inside strings (printed text) do not count."""
    bomb = b'{"t":"out","o":' + b"[" + b"[]," * (wire.MAX_CONTAINERS + 1) + b"[]]}"
    with pytest.raises(wire.ProtocolError, match="lists and objects"):
        wire.decode_body(bomb)
    text = {"t": "out", "o": {"output_type": "stream", "name": "stdout", "text": "[" * (wire.MAX_CONTAINERS + 5)}}
    assert wire.decode_body(wire.encode_frame(text)[wire.HEADER.size:]) == text


def test_a_frame_nested_too_deep_is_a_protocol_error():
    """200,000 nested lists make json.loads raise RecursionError: a ProtocolError, like any bad frame."""
    with pytest.raises(wire.ProtocolError, match="RecursionError"):
        wire.decode_body(b"[" * 200_000 + b"]" * 200_000)


def test_a_reader_that_stops_reading_cannot_block_the_writer():
    """A kernel may fill its request pipe and sleep: the grader's write gives up at its deadline (Stuck,
    an OSError) instead of blocking for ever."""
    import time

    r, w = os.pipe()
    try:
        start = time.monotonic()
        with pytest.raises(wire.Stuck):
            wire.send(w, {"op": "run", "source": "#" * 300_000}, deadline=time.monotonic() + 0.5)
        assert time.monotonic() - start < 30
        assert issubclass(wire.Stuck, OSError)
    finally:
        os.close(r)
        os.close(w)
