"""Helper processes made with ``os.fork`` (Linux): a function run in a copy of this process.

The copy shares everything this process has imported and computed; its return value, or the
exception that stopped it, comes back pickled through a pipe, and `Child.answer` returns it or
raises that exception here, so a failure in a helper fails the run as it would have failed in
this process. A helper is killed when the process that made it ends (``PR_SET_PDEATHSIG``), so
neither an interrupt nor a kill leaves one writing; it ends with ``os._exit`` and never runs
the rest of the program (no atexit handlers, no second flush of inherited output buffers).
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, NoReturn

from mca.core.errors import UserError

PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal this process gets when its parent ends (linux/prctl.h)."""


def available() -> bool:
    """Whether helpers can be forked here (Linux; elsewhere the work stays in this process)."""
    return sys.platform == "linux"


class HelperDiedError(UserError):
    """A helper process ended without an answer (killed by a signal, or out of memory): one line, as any failure."""


@dataclass
class Child:
    """A forked helper: its process id, the pipe its answer comes through, whether it has been reaped."""

    pid: int
    reply: int
    reaped: bool = False

    def answer(self) -> Any:
        """The helper's return value, once it has ended; its exception is raised here."""
        reply, self.reply = self.reply, -1  # the pipe is closed below: `stop` must not close the number again
        with os.fdopen(reply, "rb") as handle:
            data = handle.read()
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True  # its process id may now be another process's
        try:
            kind, value = pickle.loads(data)
        except Exception:  # nothing or half an answer: the helper was killed
            how = (
                f"signal {os.WTERMSIG(status)}"
                if os.WIFSIGNALED(status)
                else f"status {os.waitstatus_to_exitcode(status)}"
            )
            raise HelperDiedError(
                f"a helper process ended without finishing ({how}); earlier results are unchanged"
            ) from None
        if kind == "failed":
            raise value
        return value

    def stop(self) -> None:
        """End the helper at once (if it still runs) and reap it."""
        if not self.reaped:
            with suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.reaped = True
        if self.reply >= 0:
            os.close(self.reply)
            self.reply = -1


def fork(work: Callable[[], Any], close: Iterable[int] = ()) -> Child:
    """Run ``work()`` in a forked copy of this process; the copy closes the descriptors ``close``.

    The objects alive at the fork are frozen first (`gc.freeze`): neither process's garbage
    collector walks them again, so collections stay short (the full ones took up to 0.1 s a
    process after the libraries were imported) and the copy does not write to the pages it shares.
    """
    parent = os.getpid()
    read, write = os.pipe()
    gc.freeze()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the helper's side (coverage follows the parent)
        os.close(read)
        for descriptor in close:
            os.close(descriptor)
        _serve(work, write, parent)
    os.close(write)
    return Child(pid, read)


def _serve(work: Callable[[], Any], reply: int, parent: int) -> NoReturn:
    """Run ``work`` and send ("done", value) or ("failed", exception); then leave the process."""
    code = 1
    try:
        _die_with(parent)
        message: tuple[str, Any] = ("done", work())
        code = 0
    except BaseException as exc:
        message = ("failed", _portable(exc))
    try:
        with os.fdopen(reply, "wb") as handle:
            pickle.dump(message, handle, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` ends (and end now if it already has)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
