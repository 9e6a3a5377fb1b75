"""Import TensorFlow without its start-up log noise, unless the user asked for it."""

import importlib
import os
import sys


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
    if "tensorflow" in sys.modules or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        importlib.import_module("keras")
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
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
