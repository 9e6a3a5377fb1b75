"""TensorFlow without its noise: C++ log lines at import, during fits and
inference (unless the user asked for them), and false retracing alarms."""

import functools
import importlib
import logging
import os
import re
import sys
import threading
from contextlib import contextmanager

_MARKER = "SKLEARN_LSTMAE_SET_TF_LOG_LEVEL"


def quiet_tensorflow_import() -> None:
    """Import TensorFlow and Keras, silencing TensorFlow's C++ start-up messages.

    TensorFlow 2.21 writes CUDA-probe and CPU-feature notices straight to file
    descriptor 2 at import and at device discovery, even with
    ``TF_CPP_MIN_LOG_LEVEL=3`` (they are logged before absl is initialized), so
    the only reliable silencer is to point fd 2 at /dev/null meanwhile. Nothing
    is silenced when TensorFlow is already imported (what it printed is
    printed) or when the user has set ``TF_CPP_MIN_LOG_LEVEL`` (their choice of
    verbosity is respected). Python exceptions still propagate.
    """
    if _user_chose_log_level():
        importlib.import_module("keras")
        return
    # The marker tells child processes (joblib workers inherit the environment)
    # that the log level was ours, not the user's, so they stay quiet too.
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    os.environ[_MARKER] = "1"
    if "tensorflow" in sys.modules:  # too late to silence its start-up
        importlib.import_module("keras")
        return
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
        os.dup2(devnull, 2)
        importlib.import_module("keras")
        tensorflow = importlib.import_module("tensorflow")
        # Device discovery (the CUDA probe) logs on first use; do it now.
        tensorflow.config.list_physical_devices()
    finally:
        sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)


@functools.cache
def _user_chose_log_level() -> bool:
    """Whether the user set ``TF_CPP_MIN_LOG_LEVEL``.

    Not whether it is set: JAX sets it to 1 when it is imported (Keras imports
    it when installed), and we set it for our child processes (with the
    marker). So the question is asked of the environment the process started
    with (Linux's ``/proc/self/environ``; elsewhere, the current one). The
    answer cannot change during the process: asked once (at import), kept.
    """
    if _MARKER in os.environ:
        return False
    try:
        with open("/proc/self/environ", "rb") as file:
            initial = file.read().split(b"\0")
    except OSError:
        return "TF_CPP_MIN_LOG_LEVEL" in os.environ
    return any(item.startswith(b"TF_CPP_MIN_LOG_LEVEL=") for item in initial)


#: A line of TensorFlow's C++ logging below FATAL, in absl's format
#: ``E1125 13:05:59.123456   12345 util.cc:131] message`` (level, date, time,
#: thread, file:line); before absl is initialized, the date is 0000 and the
#: time ``00:00:<seconds since 1970>``.
_NATIVE_LOG_LINE = re.compile(rb"^[IWE]\d{4} \d\d:\d\d:[\d.]+ +\d+ [^ \]]+:\d+\] ")
#: absl's notice before its first message when nobody initialized its logging.
_ABSL_PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called"


def _is_native_log(line: bytes) -> bool:
    return bool(_NATIVE_LOG_LINE.match(line)) or line.startswith(_ABSL_PREAMBLE)


class _NativeLogFilter:
    """A pipe whose reader thread drops TensorFlow's C++ log lines and passes
    every other byte on to the real stderr; file descriptor 2 points at the
    pipe while a block runs (:meth:`attach` .. :meth:`detach`).

    Made once per process and kept (a thread and a pipe per block cost a
    third of a one-sequence ``transform``). :meth:`detach` waits until the
    reader has forwarded everything written during the block, so what is
    written to stderr afterwards comes after it, as without the filter.
    """

    #: Written by :meth:`detach` after the block's output; the reader answers
    #: by setting ``drained``. Ends the line, so it never joins the next one.
    DRAIN = b"\0sklearn_lstmae-drain\0\n"

    def __init__(self):
        self.pid = os.getpid()
        self.target = None  # the real stderr of the current block (a dup)
        self.saved = None
        self.drained = threading.Event()
        read_end, self.write_end = os.pipe()
        self.reader = threading.Thread(
            target=self._forward,
            args=(read_end,),
            name="sklearn_lstmae-stderr-filter",
            daemon=True,
        )
        self.reader.start()

    def usable(self) -> bool:
        """Whether this filter can serve a block: made in this process (a
        forked child has the pipe but not the thread) and still reading."""
        return self.pid == os.getpid() and self.reader.is_alive()

    def attached(self) -> bool:
        return self.saved is not None

    def attach(self) -> None:
        sys.stderr.flush()
        saved = os.dup(2)
        # The reader forwards to this block's stderr: the same descriptor
        # number throughout, repointed atomically (never closed and reused
        # while the reader may write to it).
        if self.target is None:
            self.target = os.dup(saved)
        else:
            os.dup2(saved, self.target)
        os.dup2(self.write_end, 2)
        self.saved = saved  # attached

    def detach(self) -> None:
        sys.stderr.flush()
        self.drained.clear()
        os.write(self.write_end, self.DRAIN)
        # Written by this block's own code: forwarded before we go on. (A
        # child process that inherited fd 2 may write later: forwarded to
        # this block's stderr, kept open until the next block.)
        self.drained.wait(timeout=5)
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.saved = None

    def _forward(self, read_end: int) -> None:
        pending = b""
        drain = self.DRAIN[:-1]
        while chunk := os.read(read_end, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            kept, drained = [], False
            for line in lines:
                if line.endswith(drain):
                    # A partial line before the marker: passed on as written.
                    line, drained = line[: -len(drain)], True
                    if line and not _is_native_log(line):
                        kept.append(line)
                elif not _is_native_log(line):
                    kept.append(line + b"\n")
            if kept and self.target is not None:
                try:
                    os.write(self.target, b"".join(kept))
                except OSError:  # the real stderr is gone: nothing to keep
                    pass
            if drained:
                self.drained.set()


#: The process' filter (made on first use) and how many blocks use it now (it
#: is attached while any does).
_filter: _NativeLogFilter | None = None
_filter_users = 0
_filter_lock = threading.Lock()


@contextmanager
def native_logs_filtered():
    """Drop TensorFlow's C++ log lines written to stderr during a block.

    TensorFlow logs some notices from C++ while it runs a model, depending on
    the CPU (e.g. ``E0000 ... util.cc:131] oneDNN supports DT_INT32 only on
    platforms with AVX-512``, seen on AMD EPYC and Intel Xeon CPUs), whatever
    Python's logging or warnings filters say. While any block of ours runs
    (fits and inference, reference-counted across threads), file descriptor 2
    goes through a pipe that drops lines in absl's log format (levels I, W and
    E; FATAL lines pass) and forwards everything else unchanged: Python
    warnings, tracebacks and other libraries' output still reach stderr, in
    order: the pipe and its reader thread are made once per process, and at
    the end of a block the reader forwards what the block wrote before stderr
    is restored. Nothing is filtered when the user set ``TF_CPP_MIN_LOG_LEVEL``
    (their choice of verbosity), or when there is no usable stderr.
    """
    global _filter, _filter_users
    if _user_chose_log_level():
        yield
        return
    with _filter_lock:
        if _filter_users == 0:
            try:
                if _filter is None or not _filter.usable():
                    _filter = _NativeLogFilter()
                _filter.attach()
            except OSError:  # no file descriptor 2 (e.g. a detached process)
                pass
        _filter_users += 1
    try:
        yield
    finally:
        with _filter_lock:
            _filter_users -= 1
            if _filter_users == 0 and _filter is not None and _filter.attached():
                _filter.detach()


class _KerasStepTracingFilter(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning about Keras'
    own step functions while one of our estimators trains.

    TensorFlow counts tracing per Python code object, and every Keras model
    builds its train/test step functions from the same code, so a grid search
    that fits many small models (each traced once, as a new model must be)
    looks like one function being retraced again and again. Only that false
    alarm is dropped, and only during our fits; inference functions are our
    own and keyed per model, so they never trigger it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            "triggered tf.function retracing" in message
            and "TensorFlowTrainer._make_function" in message
        )


_tracing_filter = _KerasStepTracingFilter()
_tracing_filter_users = 0
_tracing_filter_lock = threading.Lock()


@contextmanager
def quiet_step_tracing():
    """Install :class:`_KerasStepTracingFilter` on TensorFlow's logger for a
    block (reference-counted, so concurrent fits in threads share it)."""
    global _tracing_filter_users
    logger = logging.getLogger("tensorflow")
    with _tracing_filter_lock:
        if _tracing_filter_users == 0:
            logger.addFilter(_tracing_filter)
        _tracing_filter_users += 1
    try:
        yield
    finally:
        with _tracing_filter_lock:
            _tracing_filter_users -= 1
            if _tracing_filter_users == 0:
                logger.removeFilter(_tracing_filter)
