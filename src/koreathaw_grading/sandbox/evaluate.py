"""Test cells judged where the student's code cannot reach.

A test cell's code comes from the gradebook (never from the submission) and runs
here, in the grader's own process, in a namespace of its own. The names it uses
that the course's read-only cells did not define -- the student's functions and
answers -- are looked up in the sandboxed kernel: a function becomes a
:class:`RemoteFunction` (calling it runs the student's code in the sandbox and
brings the result back as data, :mod:`.codec`), any other value is brought back
as data. ``assert``, ``isinstance``, ``len``, ``==`` and the expected values of
the hidden tests all run here, on real Python and pandas objects built from
data: an input transformer, a patched builtin, a replaced ``sys.excepthook`` or
a tampered display hook in the student's kernel changes nothing here.

The course's read-only cells run here first, all of them, whatever order the
submission puts them in or whether it kept them; the names they bind are never
looked up in the student's kernel (a student who moved the setup cell could
otherwise hand the tests their own ``articles``).

What the student's code sees of a hidden test is the arguments of the calls the
test makes. From the first hidden call on, an error message is shown only if it
is one the test's code spells out (an assertion's own words): anything else the
student's code could have filled with what it saw is withheld, and so is the name
of the student's own exception class.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import re
import signal
import symtable
import threading
import warnings
from typing import Any, Callable

from nbformat.notebooknode import NotebookNode

from koreathaw_grading.sandbox import codec
from koreathaw_grading.sandbox.launch import KernelDied, Sandbox, Unresponsive

HIDDEN_MARKER = re.compile(r"^\s*###\s*(BEGIN|END)\s+HIDDEN\s+TESTS\s*(###)?\s*$", re.I)
WITHHELD = "(the message is withheld: it was raised while hidden tests ran)"
WITHHELD_AFTER = "(the message is withheld: the code tested had already seen a hidden test's inputs)"
#: nbgrader's own output for a cell that timed out (nbgrader.preprocessors.Execute.error_on_timeout).
TIMEOUT_TRACEBACK = ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"]


def error_output(ename: str, evalue: str, traceback: list[str] | None = None) -> NotebookNode:
    """An ``error`` output as a kernel sends it."""
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=traceback if traceback is not None else [f"{ename}: {evalue}"])


def segments(source: str) -> list[tuple[bool, str]]:
    """The cell's code split at the hidden-test markers: ``[(hidden, code), ...]`` in order."""
    parts: list[tuple[bool, list[str]]] = [(False, [])]
    for line in source.splitlines():
        match = HIDDEN_MARKER.match(line)
        if match:
            parts.append((match.group(1).upper() == "BEGIN", []))
        else:
            parts[-1][1].append(line)
    return [(hidden, "\n".join(lines)) for hidden, lines in parts if any(l.strip() for l in lines)]


def free_names(code: str) -> set[str]:
    """Names ``code`` reads but never binds at its top level (globals of its functions included)."""
    table = symtable.symtable(code, "<test>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    found: set[str] = set()

    def walk(t: symtable.SymbolTable) -> None:
        for sym in t.get_symbols():
            top = t.get_type() == "module"
            if sym.is_referenced() and (top or sym.is_global()) and sym.get_name() not in bound:
                found.add(sym.get_name())
        for child in t.get_children():
            walk(child)

    walk(table)
    return found


def builtin_name(ename: str, fallback: str = "Exception") -> str:
    """``ename`` if it names a builtin exception, else ``fallback``: a class name the student chose can carry
    what their code saw."""
    return ename if isinstance(getattr(builtins, ename, None), type) else fallback


def bound_names(code: str) -> set[str]:
    """Names ``code`` binds at its top level (assigned, imported, defined); none if it does not compile."""
    try:
        table = symtable.symtable(code, "<setup>", "exec")
    except SyntaxError:
        return set()
    return {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}


class GraderTimedOut(BaseException):
    """Raised when a test's own code, running here, used more CPU than a cell may."""


@contextlib.contextmanager
def cpu_watchdog(seconds: float):
    """Stop the code run inside after ``seconds`` of this process's CPU time (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise GraderTimedOut()

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


class CellTimedOut(BaseException):
    """Raised through the test's code when a call passed the cell's CPU limit (not catchable by ``except Exception``)."""

    def __init__(self, outputs: list[NotebookNode]) -> None:
        super().__init__("timeout")
        self.outputs = outputs


class KernelGone(BaseException):
    """Raised through the test's code when the kernel died or was killed during a call."""

    def __init__(self, outputs: list[NotebookNode], why: str) -> None:
        super().__init__(why)
        self.outputs, self.why = outputs, why


_REMOTE_CLASSES: dict[tuple[str, type], type] = {}


def remote_exception(ename: str, mro: list[str], evalue: str) -> BaseException:
    """An exception standing for one the student's code raised: named like it, catchable as its builtin base."""
    base: type = Exception
    for name in mro:
        candidate = getattr(builtins, str(name), None)
        if isinstance(candidate, type) and issubclass(candidate, BaseException) and candidate is not KeyboardInterrupt:
            base = candidate
            break
    name = ename if ename.isidentifier() else "RemoteError"
    cls = _REMOTE_CLASSES.get((name, base))
    if cls is None:
        cls = type(name, (base,), {"__str__": lambda self: self.args[0] if self.args else "",
                                   "__module__": "student", "_koreathaw_remote": True})
        _REMOTE_CLASSES[(name, base)] = cls
    exc = cls.__new__(cls)
    exc.args = (str(evalue),)
    return exc


class Evaluator:
    """Runs one notebook's trusted cells against one sandboxed kernel."""

    def __init__(self, box: Sandbox, cell_cpu: float, add_output: Callable[[NotebookNode], None]) -> None:
        self.box, self.cell_cpu, self.add_output = box, cell_cpu, add_output
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.student_names: set[str] = set()
        self.protected: set[str] = set()  # names the course's read-only cells bind: never the student's
        self.cell_cpu0 = 0.0
        self.in_hidden = False  # the test code running now is a hidden part
        self.hidden_sent = False  # the kernel has seen the arguments of a hidden test's call

    # ------------------------------------------------------------------ setup cells
    def run_setups(self, codes: list[str]) -> None:
        """Run the course's read-only cells here, before any test, each once the names it reads are here.

        A cell that reads a student's name (``event_map(events)``) is never run here. Every name
        any of them binds is protected: a test reads it from here or fails, never from the kernel.
        """
        for code in codes:
            self.protected |= bound_names(code)
        pending = list(codes)
        progress = True
        while pending and progress:
            progress = False
            for code in list(pending):
                if self.run_setup(code):
                    pending.remove(code)
                    progress = True

    def run_setup(self, code: str) -> bool:
        """Run one read-only cell here unless it reads a name that is not here; True if it was run."""
        try:
            if free_names(code) - set(self.namespace) - set(dir(builtins)):
                return False
        except SyntaxError:
            return True  # never runnable; the kernel's own run of the cell shows the error
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                exec(compile(code, "<setup>", "exec"), self.namespace)
        except BaseException:  # the kernel's own run of the cell shows any error; tests will see names missing
            pass
        return True

    # ------------------------------------------------------------------ test cells
    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        """Call the student's function ``name`` in the sandbox; its value, or its exception raised here."""
        try:
            payload = {"op": "call", "name": name, "args": codec.encode(list(args)), "kwargs": codec.encode(dict(kwargs))}
        except codec.CodecError as exc:
            raise TypeError(f"the grader cannot pass these arguments to {name}: {exc}") from None
        self.hidden_sent = self.hidden_sent or self.in_hidden
        left = max(0.05, self.cell_cpu - (self.box.user_seconds() - self.cell_cpu0))
        try:
            reply = self.box.request(payload, on_output=self._output, cpu_limit=left)
        except Unresponsive:
            raise KernelGone([error_output("CellTimeoutError", "the cell ran longer than the time limit and was interrupted"),
                              error_output("KernelUnresponsive", "the kernel did not answer after this cell was interrupted")],
                             "is stuck (it ignored the interrupt after a timeout)") from None
        except KernelDied as exc:
            ename = "MemoryError" if exc.oom else "DeadKernelError"
            raise KernelGone([error_output(ename, str(exc))], "died") from None
        for out in reply.get("outputs", []) if isinstance(reply.get("outputs"), list) else []:
            self._output(out)
        if reply.get("interrupted"):
            raise CellTimedOut([error_output("KeyboardInterrupt", ""),
                                error_output("CellTimeoutError", "", list(TIMEOUT_TRACEBACK))])
        kind = reply.get("t")
        if kind == "return":
            try:
                return codec.decode(reply.get("v"))
            except codec.CodecError as exc:
                raise TypeError(f"{name} returned a value the grader cannot check: {exc}") from None
        if kind == "raise":
            mro = reply.get("mro") if isinstance(reply.get("mro"), list) else []
            raise remote_exception(str(reply.get("ename", "Exception"))[:100], mro, str(reply.get("evalue", ""))[:10000])
        if kind == "missing":
            raise NameError(f"name '{name}' is not defined")
        if kind == "uncarriable":
            raise TypeError(f"{name} returned a value the grader cannot check: {str(reply.get('why', ''))[:300]}")
        raise TypeError(f"the kernel answered a call to {name} with something else: {str(kind)[:40]}")

    def _output(self, out: Any) -> None:
        from koreathaw_grading.sandbox.outputs import checked_output

        node = checked_output(out)
        if node is None or node.output_type not in ("stream", "display_data", "execute_result", "error"):
            return  # no clear_output: the student's code may not wipe what the test showed
        if node.output_type == "execute_result":
            # shown as a display: nbgrader scores a test cell's first execute_result as partial credit
            node = NotebookNode(output_type="display_data", data=node.data, metadata=node.metadata)
        elif node.output_type == "error" and (self.in_hidden or self.hidden_sent):
            # an error the student's code showed itself (showtraceback): feedback keeps a test cell's errors,
            # so once the code has seen hidden inputs it is shown as the student's own exceptions are
            node = error_output(builtin_name(node.ename), node.evalue and (WITHHELD if self.in_hidden else WITHHELD_AFTER))
        self.add_output(node)

    def _bind_student_names(self, code: str) -> None:
        for name in self.student_names:
            self.namespace.pop(name, None)
        self.student_names = set()
        for name in sorted(free_names(code) - set(self.namespace) - set(dir(builtins)) - self.protected):
            reply = self.box.request({"op": "lookup", "name": name}, on_output=lambda out: None, cpu_limit=self.cell_cpu)
            kind = reply.get("t")
            if kind == "callable":
                self.namespace[name] = RemoteFunction(self, name)
            elif kind == "value":
                try:
                    self.namespace[name] = codec.decode(reply.get("v"))
                except codec.CodecError as exc:
                    self.namespace[name] = codec.Opaque("unknown", [], f"not checkable: {exc}")
            elif kind == "uncarriable":
                self.namespace[name] = codec.Opaque("unknown", [], str(reply.get("why", ""))[:200])
            else:
                continue
            self.student_names.add(name)

    def run_test(self, code: str, add: Callable[[NotebookNode], None] | None = None) -> list[NotebookNode]:
        """Run one test cell here; its outputs go to ``add`` as they come (capped there), or are returned.

        Raises :class:`KernelGone` if the kernel is gone, or if the test's own code ran past the
        cell's CPU limit here (the kernel's reply may then be half read: it is not used again).
        """
        collected: list[NotebookNode] = []
        self.add_output = add or collected.append
        self.cell_cpu0 = self.box.user_seconds()
        self.in_hidden = False
        stdout, stderr = io.StringIO(), io.StringIO()

        def flush() -> None:
            for name, stream in (("stdout", stdout), ("stderr", stderr)):
                text = stream.getvalue()
                if text:
                    self.add_output(NotebookNode(output_type="stream", name=name, text=text))
                    stream.seek(0)
                    stream.truncate()

        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), warnings.catch_warnings(), \
                    cpu_watchdog(self.cell_cpu):
                _default_warning_filters()
                try:
                    self._bind_student_names(code)
                except KernelDied as exc:
                    raise KernelGone([error_output("MemoryError" if exc.oom else "DeadKernelError", str(exc))], "died")
                for hidden, part in segments(code):
                    self.in_hidden = hidden
                    try:
                        exec(compile(part, "<test>", "exec"), self.namespace)
                    except (CellTimedOut, KernelGone, GraderTimedOut):
                        raise
                    except BaseException as exc:  # the test failed: the cell gets the error, as in a kernel
                        flush()
                        self.add_output(self._error(exc, hidden, code))
                        break
        except CellTimedOut as timeout:
            flush()
            for out in timeout.outputs:
                self.add_output(out)
        except GraderTimedOut:
            flush()
            self.add_output(error_output("CellTimeoutError", "the test ran longer than the time limit in the grader"))
            raise KernelGone(collected, "was stopped (a test ran past its time limit in the grader)") from None
        except KernelGone as gone:
            flush()
            for out in gone.outputs:
                self.add_output(out)
            gone.outputs = collected
            raise
        flush()
        return collected

    def _error(self, exc: BaseException, hidden: bool, code: str) -> NotebookNode:
        """The error a failed test shows. Once the student's code has seen a hidden test's arguments
        (or while a hidden part runs) only a message the test's code spells out is shown."""
        ename, evalue = type(exc).__name__, str(exc)
        remote = getattr(type(exc), "_koreathaw_remote", False)
        if hidden or self.hidden_sent:
            spelled_out = not evalue or (isinstance(exc, AssertionError) and not remote and evalue in code)
            if not spelled_out:
                evalue = WITHHELD if hidden else WITHHELD_AFTER
            if remote:  # the class name is the student's to choose too: else its builtin base
                ename = builtin_name(ename, next(c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"))
        return error_output(ename, evalue)


def _default_warning_filters() -> None:
    """The warning filters of a fresh IPython kernel (Python's defaults, plus deprecations shown for ``__main__``)."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


class RemoteFunction:
    """A student's function, seen from the grader: calling it calls it in the sandbox."""

    def __init__(self, evaluator: Evaluator, name: str) -> None:
        self._evaluator, self.__name__ = evaluator, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._evaluator.call(self.__name__, args, kwargs)

    def __repr__(self) -> str:
        return f"<the student's function {self.__name__}>"
