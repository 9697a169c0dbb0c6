"""What the command line writes to a terminal: printable text only, whatever the data holds.

Names, addresses and file names reach CertDesk from outside: a school's package, a spreadsheet
cell, a file on a USB stick, another institution's rows at a bureau. Printed raw, a line break
in an institution's name forges a line of output (``甲\\n已导入``), an ESC sequence clears or
recolours the clerk's screen or retitles the window, a carriage return overwrites the start of
a line, and a bidi override (U+202E) shows ``gpj.exe`` as ``exe.jpg``. Two defences, so that
one forgotten call cannot undo both:

- ``printable(value)``: every value from outside goes through it before it is put into a
  line. Each control character (line breaks and tabs too) becomes a visible escape, so one
  record stays one line and one field stays one column; Chinese and every other printable
  character stay exactly as they are.
- ``printable_streams()``: while a command runs, ``sys.stdout`` and ``sys.stderr`` escape every
  control character except the line breaks and tabs the command itself writes. A value that
  missed ``printable`` can at worst break a line; it can never reach the terminal as an escape
  sequence, a carriage return or a bidi override.

``--json`` output is bytes written by ``write_bytes``: ``json.dumps`` already escapes C0
controls; ``cli.context.print_json`` escapes the rest (DEL, C1, bidi, U+2028/9) as ``\\uXXXX``,
which decodes to the same string, so the JSON stays exact.

The same streams end a closed pipe quietly (``certdesk targets | head -1``): the first write
that finds the reader gone points the descriptor at the null device, so the rest of the output
(and the interpreter's flush at exit) goes nowhere instead of into a BrokenPipeError traceback,
and the command finishes its work and returns its own exit status.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

#: What a terminal acts on instead of showing: C0 controls, DEL, C1 controls (0x9b is an
#: 8-bit CSI), the bidi embeddings, overrides, isolates and marks, the line and paragraph
#: separators, and lone surrogates (undecodable bytes of a file name or argument). Tab and
#: line feed are listed apart: in a stream they are the command's own layout and pass.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_UNICODE_CONTROLS = "\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_IN_VALUE = re.compile(f"[\t\n{_CONTROLS}{_UNICODE_CONTROLS}]")
_IN_STREAM = re.compile(f"[{_CONTROLS}{_UNICODE_CONTROLS}]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: surrogateescape keeps an undecodable byte 0x80-0xff as U+DC80-U+DCFF: show the byte.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text that shows as itself on one line: control characters escaped."""
    text = value if isinstance(value, str) else str(value)
    return _IN_VALUE.sub(_escape, text) if _IN_VALUE.search(text) else text


def _stream_safe(text: str) -> str:
    return _IN_STREAM.sub(_escape, text) if _IN_STREAM.search(text) else text


def _reader_gone(exc: OSError) -> bool:
    """A closed pipe: EPIPE; on Windows a write to a pipe whose reader left fails EINVAL."""
    return isinstance(exc, BrokenPipeError) or (os.name == "nt" and exc.errno == errno.EINVAL)


class PrintableStream:
    """A text stream that escapes control characters and drops output nobody reads."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            self._guarded(lambda: self._stream.write(_stream_safe(text)))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def write_bytes(self, data: bytes) -> None:
        """Bytes as they are (``--json``), after any text written before them."""
        if not self._gone:
            self._guarded(lambda: (self._stream.flush(), self._stream.buffer.write(data)))

    def flush(self) -> None:
        if not self._gone:
            self._guarded(self._stream.flush)

    def _guarded(self, action: Callable[[], object]) -> None:
        try:
            action()
        except OSError as exc:
            if not _reader_gone(exc):
                raise
            self._gone = True
            # What is still buffered, and the flush at exit, go to the null device.
            null = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(null, self._stream.fileno())
            finally:
                os.close(null)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)  # encoding, isatty, fileno, buffer, …


@contextmanager
def printable_streams() -> Iterator[None]:
    """sys.stdout and sys.stderr as PrintableStreams for the duration; the originals after."""
    saved = sys.stdout, sys.stderr
    wrapped = [None if s is None else PrintableStream(s) for s in saved]
    sys.stdout, sys.stderr = wrapped  # type: ignore[assignment]
    try:
        yield
    finally:
        for stream in wrapped:
            if stream is not None:
                stream.flush()
        sys.stdout, sys.stderr = saved


def write_bytes(data: bytes) -> None:
    """Write bytes to stdout, after any text before them, quietly if its reader is gone."""
    stdout: Any = sys.stdout
    stream = stdout if isinstance(stdout, PrintableStream) else PrintableStream(stdout)
    stream.write_bytes(data)
    stream.flush()


def print_row(*fields: object, indent: str = "") -> None:
    """One record as one tab-separated line, each field made printable."""
    print(indent + "\t".join(printable(field) for field in fields))
