"""TensorFlow without its noise, and never at the user's expense.

TensorFlow's C++ code logs start-up notices (the CUDA probe, oneDNN, CPU
features) and, on some CPUs, notices while a model runs (``oneDNN supports
DT_INT32 only on platforms with AVX-512``, seen on AMD EPYC and Intel Xeon
CPUs). Two measures keep them out of a default run, and nothing else is ever
touched:

- ``TF_CPP_MIN_LOG_LEVEL=3`` is set before TensorFlow loads (unless the user
  set it: their choice of verbosity), which silences its C++ log lines for
  the whole process, in fits and inference alike;
- the start-up lines TensorFlow writes before its logging is initialized
  ignore that level: while TensorFlow is imported (only then), file
  descriptor 2 goes to a temporary file, and afterwards every line of it that
  is not a TensorFlow log line is written to the real stderr (a Python
  warning raised during the import is kept).

File descriptor 2 is never redirected while the user's code can run (during a
fit, a callback, inference): the user's own output, absl-format log lines,
``\\r`` progress lines, crash reports and the order of stderr against stdout
are exactly as without this package. A process that imported TensorFlow
before this package has its start-up lines printed already and read its log
level then; run-time notices may then remain (documented residual).

Also here: the false "retracing" alarm TensorFlow logs through Python's
logging when a grid search fits many small Keras models.
"""

import functools
import importlib
import logging
import os
import re
import sys
import tempfile
import threading
from contextlib import contextmanager

_MARKER = "SKLEARN_LSTMAE_SET_TF_LOG_LEVEL"

#: TensorFlow's C++ log level the package sets when the user set none: FATAL
#: only (the run-time oneDNN notice is an ERROR line).
_QUIET_LEVEL = "3"


def quiet_tensorflow_import() -> None:
    """Import TensorFlow and Keras without TensorFlow's C++ start-up notices.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` for this process and its children unless
    the user set it, then imports with the start-up lines dropped (see the
    module docstring). Nothing is dropped when the user set the level or when
    TensorFlow is already imported; without a usable stderr the import runs
    as it is. Python exceptions propagate.
    """
    if _user_chose_log_level():
        importlib.import_module("keras")
        return
    # The marker tells child processes (joblib workers inherit the environment)
    # that the log level was ours, not the user's, so they stay quiet too.
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = _QUIET_LEVEL
    os.environ[_MARKER] = "1"
    if "tensorflow" in sys.modules:  # too late to silence its start-up
        importlib.import_module("keras")
        return
    without_native_logs(_import_tensorflow)


def _import_tensorflow() -> None:
    importlib.import_module("keras")
    tensorflow = importlib.import_module("tensorflow")
    # Device discovery (the CUDA probe) logs on first use; do it now.
    tensorflow.config.list_physical_devices()


def without_native_logs(function) -> None:
    """Run ``function()`` with TensorFlow's log lines on file descriptor 2
    dropped and everything else written to stderr afterwards, in order.

    For the import only: the output is held until ``function`` returns (a
    temporary file, not a pipe: nothing can block). Without a file
    descriptor 2 (a process started with stderr closed) it just runs.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no stderr: nothing to silence, nothing to keep
        function()
        return
    try:
        held = tempfile.TemporaryFile()
    except OSError:
        os.close(saved)
        function()
        return
    with held:
        try:
            _flush_stderr()
            os.dup2(held.fileno(), 2)
            function()
        finally:
            # First thing on the way out (also on KeyboardInterrupt):
            # stderr back as it was.
            _flush_stderr()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().splitlines(True)
            kept = b"".join(line for line in lines if not _is_native_log(line))
            if kept:
                try:
                    os.write(2, kept)
                except OSError:
                    pass


def _flush_stderr() -> None:
    if sys.stderr is not None:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):  # closed or broken: nothing to flush
            pass


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
#: The continuation line of TensorFlow's CPU-feature notice (no prefix).
_CPU_FEATURES = b"To enable the following instructions:"


def _is_native_log(line: bytes) -> bool:
    return (
        bool(_NATIVE_LOG_LINE.match(line))
        or line.startswith(_ABSL_PREAMBLE)
        or line.startswith(_CPU_FEATURES)
    )


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
        # Keras' private step builder, as TensorFlow names it in the warning
        # (TensorFlowTrainer._make_function, Keras 3.7 to 3.15; with older
        # Keras the warning names make_train_function and is kept: see _compat).
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
