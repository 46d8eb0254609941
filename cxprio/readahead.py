"""Reading a catalogue file's YAML in another process, ahead of need.

Python runs one thread at a time, so a process that first loads its libraries and then
reads a large catalogue uses one core for both, one after the other: the board's first
page on a freshly started server does exactly that (about a second of each at 10,000
experiences). :meth:`ReadAhead.start` reads the file in a child process
(``python -m cxprio.readahead``, which imports only this module, :mod:`.safeyaml` and
PyYAML) on another core, while the parent goes on loading; :meth:`ReadAhead.document`
then hands over the parsed :class:`~cxprio.safeyaml.Document`, which
:func:`cxprio.catalogue.parse_catalogue` validates without reading the YAML again.

The child sends the document's data, its refusals and the SHA-256 of the bytes it read;
then, while the parent validates that data against the schema, the errors in how its ids
refer to each other (:func:`cxprio.references.check_references`, 0.1 s at 10,000
experiences, :meth:`ReadAhead.references`). It then stays to answer where a value is in
the file: a message about a problem needs its line, and the child still has the parser's
marks, so only the few positions asked for cross over. :meth:`ReadAhead.close` ends it.

A document is handed over only for the very bytes the parent has, so a file changed in
between is simply read again. Whatever goes wrong in the child (the file missing, too
large, not UTF-8 or not valid YAML, the child killed) makes :meth:`~ReadAhead.document`
return None, and the parent reads the file as it would have anyway, with its own
messages; a child lost after handing over its document leaves the positions to a
reading in the parent.

The messages are pickles, and the document's data inside the first one is in
:mod:`marshal`'s format when it can be (plain data with no refused value, which is the
usual case): at 10,000 experiences, marshal writes it in 0.04-0.06 s where pickle took
0.13 s, and reads it in 0.07 s where pickle took 0.09 s. They come only from the child
this module started, through its own pipe; nothing else can write there.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import pickle
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from .errors import CatalogueError, Problem
from .limits import max_values
from .references import check_references
from .safeyaml import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DEPTH,
    Document,
    Position,
    decode_text,
    read_catalogue_file,
    read_yaml,
)
from .safeyaml import Path as FieldPath

WAIT_SECONDS = 120.0
"""How long the parent waits for the child's document before reading the file itself."""

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
_MARSHAL, _PICKLE = "marshal", "pickle"  # the format of the data in the first message


class ReadAhead:
    """One catalogue file being read by a child process (see the module's text)."""

    def __init__(self, path: Path, process: subprocess.Popen[bytes]) -> None:
        self.path = path
        self._process = process
        self._arrived = threading.Event()
        self._first: Any = None
        self._checked = threading.Event()  # the second message, the reference problems, is in
        self._references: list[Problem] | None = None
        self._lock = threading.Lock()  # one question to the child at a time
        self._fallback: Document | None = None
        threading.Thread(target=self._receive, name="cxprio-readahead", daemon=True).start()

    @classmethod
    def start(
        cls,
        path: str | os.PathLike[str],
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> ReadAhead | None:
        """Start reading the YAML of the file at ``path`` in a child process; None when no
        process could be started (the caller then reads the file itself)."""
        absolute = Path(path).resolve()
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        )
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(absolute), str(max_bytes), str(max_depth)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=environment,
            )
        except OSError:
            return None
        return cls(absolute, process)

    def document(self, content: bytes, *, file: str, timeout: float = WAIT_SECONDS) -> Document | None:
        """The document of ``content``, naming ``file`` in messages, when the child read
        exactly these bytes; else None. Waits for the child up to ``timeout`` seconds.

        A document is handed over once; later calls return None. Its positions come from
        the child until :meth:`close`.
        """
        if not self._arrived.wait(timeout):
            self.close()
        first, self._first = self._first, None
        if first is None or first[0] != hashlib.sha256(content).hexdigest():
            self.close()
            return None
        _, data, refusals, refused = first
        fallback = _Fallback(content, file)
        return Document.elsewhere(
            data,
            file,
            lambda path: self._locate(path, fallback),
            refusals=tuple(replace(problem, file=file) for problem in refusals),
            refused=refused,
        )

    def references(self, timeout: float = WAIT_SECONDS) -> list[Problem] | None:
        """:func:`cxprio.references.check_references` of the document's data, which the
        child checks while the parent validates the data against the schema; None when the
        child could not say (the caller then checks them itself). Their positions are the
        document's to find, like those of any other problem."""
        self._checked.wait(timeout)
        return self._references

    def close(self) -> None:
        """End the child; positions asked for later are found by reading in this process."""
        with self._lock:
            if self._process.poll() is None:
                try:
                    _send(self._stdin(), None)
                except OSError:
                    self._process.kill()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._arrived.is_set():  # else the receiving thread closes them once done
                self._close_pipes()

    def _close_pipes(self) -> None:
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(BrokenPipeError):  # buffered for a child that ended: dropped
                    pipe.close()

    def _locate(self, path: FieldPath, fallback: _Fallback) -> Position | None:
        self._checked.wait(WAIT_SECONDS)  # the answer read next must not be that message
        with self._lock:
            if self._process.poll() is None:
                try:
                    _send(self._stdin(), path)
                    stdout = self._process.stdout
                    assert stdout is not None
                    answer: Position | None = pickle.load(stdout)
                    return answer
                except (OSError, EOFError, pickle.UnpicklingError):
                    self._process.kill()
        return fallback.locate(path)

    def _stdin(self) -> IO[bytes]:
        stdin = self._process.stdin
        assert stdin is not None
        return stdin

    def _receive(self) -> None:
        """Wait for the child's document, then for its reference problems (in a thread, so
        the waits can time out)."""
        stdout = self._process.stdout
        assert stdout is not None
        try:
            try:
                first = pickle.load(stdout)
                if first is not None:
                    sha256, form, data, refusals, refused = first
                    if form == _MARSHAL:
                        data = marshal.loads(data)
                    first = (sha256, data, refusals, refused)
                self._first = first
            finally:
                self._arrived.set()
            if first is not None:
                self._references = pickle.load(stdout)
        except Exception:  # a child that died or said nothing usable: the parent does the work
            self._process.kill()
        finally:
            self._checked.set()
        with self._lock:
            if self._process.poll() is not None:  # it ended: nothing more to say or ask
                self._close_pipes()


class _Fallback:
    """Positions found by reading ``content`` in this process, once, if the child is gone."""

    def __init__(self, content: bytes, file: str) -> None:
        self._content, self._file = content, file
        self._document: Document | None = None

    def locate(self, path: FieldPath) -> Position | None:
        if self._document is None:
            self._document = read_yaml(decode_text(self._content, self._file)[0], file=self._file)
        return self._document.locate(path)


def _read(path: Path, max_bytes: int, max_depth: int) -> tuple[str, Document] | None:
    """The SHA-256 of the file's bytes and its document; None when the parent should read
    the file itself, and say what is wrong with it."""
    try:  # the parent's own rules, so its bytes and text are these
        raw = read_catalogue_file(path, max_bytes=max_bytes)
    except CatalogueError:
        return None
    text, undecoded = decode_text(raw, str(path))
    if undecoded or not text.strip():
        return None
    try:
        document = read_yaml(text, file=str(path), max_depth=max_depth, max_values=max_values(max_bytes))
    except CatalogueError:
        return None
    return hashlib.sha256(raw).hexdigest(), document


def _send(out: IO[bytes], message: Any) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def main(argv: list[str]) -> int:
    """The child: ``python -m cxprio.readahead PATH MAX_BYTES MAX_DEPTH``. Sends the
    document, then answers each path it is sent with its position, until sent None."""
    gc.disable()  # a short life that builds a large tree of objects without cycles
    path, max_bytes, max_depth = Path(argv[0]), int(argv[1]), int(argv[2])
    out, questions = sys.stdout.buffer, sys.stdin.buffer
    read = _read(path, max_bytes, max_depth)
    if read is None:
        _send(out, None)
        return 0
    sha256, document = read
    refusals: tuple[Problem, ...] = document.refusals
    if document.refused:  # a refused value in the data, which marshal cannot write
        _send(out, (sha256, _PICKLE, document.data, refusals, document.refused))
    else:
        _send(out, (sha256, _MARSHAL, marshal.dumps(document.data), refusals, document.refused))
    _send(out, check_references(document.data))  # while the parent validates the data
    try:
        while (asked := pickle.load(questions)) is not None:
            _send(out, document.locate(asked))
    except (EOFError, BrokenPipeError):  # the parent is gone
        pass
    # Leave at once, without freeing the document object by object: at 10,000 experiences
    # that took 0.06-0.1 s, which the parent's close() spent waiting for this exit.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
