"""Import TensorFlow without its start-up log noise, unless the user asked for it."""

import importlib
import os
import sys

_MARKER = "SKLEARN_LSTMAE_SET_TF_LOG_LEVEL"


def quiet_tensorflow_import() -> None:
    """Import TensorFlow and Keras, silencing TensorFlow's C++ start-up messages.

    TensorFlow 2.21 writes CUDA-probe and CPU-feature notices straight to file
    descriptor 2 at import and at device discovery, even with
    ``TF_CPP_MIN_LOG_LEVEL=3`` (they are logged before absl is initialized), so
    the only reliable silencer is to point fd 2 at /dev/null meanwhile. Nothing
    is silenced when TensorFlow is already imported or when the user has set
    ``TF_CPP_MIN_LOG_LEVEL`` (their choice of verbosity is respected). Python
    exceptions still propagate.
    """
    user_chose = "TF_CPP_MIN_LOG_LEVEL" in os.environ and _MARKER not in os.environ
    if "tensorflow" in sys.modules or user_chose:
        importlib.import_module("keras")
        return
    # The marker tells child processes (joblib workers inherit the environment)
    # that the log level was ours, not the user's, so they stay quiet too.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ[_MARKER] = "1"
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
