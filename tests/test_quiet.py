"""Quiet, and never at the user's expense: TensorFlow's C++ lines stay out of a
default run, and the user's output is never lost, held back or reordered."""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from sklearn_lstmae import LSTMAutoencoderTransformer
from sklearn_lstmae._quiet import _is_native_log, without_native_logs

#: What TensorFlow printed during fit on some CPUs (issue 14), as a native write.
ONEDNN = (
    b"E0000 00:00:1732540000.123456   4242 util.cc:131] oneDNN supports DT_INT32 "
    b"only on platforms with AVX-512. Falling back to the default Eigen-based "
    b"implementation if present."
)
PREAMBLE = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written "
    b"to STDERR"
)
#: TensorFlow's start-up lines (each begins like this when printed).
START_UP = ("absl::InitializeLog", "port.cc:", "cudart_stub.cc", "cpu_feature_guard")


def clean_environment():
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("TF_", "SKLEARN_"))
    }


def run(script, env=None, **options):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=clean_environment() if env is None else env,
        text=True,
        timeout=600,
        **options,
    )


def stderr_identity():
    status = os.fstat(2)
    return status.st_dev, status.st_ino


class Recorder(keras.callbacks.Callback):
    """Where file descriptor 2 points at each training step."""

    def __init__(self, interrupt_at=None):
        super().__init__()
        self.seen, self.interrupt_at = [], interrupt_at

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(stderr_identity())
        if batch == self.interrupt_at:
            raise KeyboardInterrupt  # as a Ctrl-C during the fit


def test_fits_and_inference_leave_stderr_alone():
    # The design, checked directly: file descriptor 2 is never redirected
    # while user code can run (no pipe, no reader thread), so nothing the
    # user writes during a fit can be held, reordered or lost.
    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    before = stderr_identity()
    recorder = Recorder()
    model = LSTMAutoencoderTransformer(
        units=(3,), encoding_dim=2, epochs=2, batch_size=4, callbacks=[recorder]
    ).fit(X)
    assert recorder.seen and set(recorder.seen) == {before}
    model.transform(X)
    model.score_samples(X)
    assert stderr_identity() == before


def test_ctrl_c_during_a_fit_leaves_stderr_and_later_fits_as_they_were():
    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    before = stderr_identity()
    model = LSTMAutoencoderTransformer(
        units=(3,), encoding_dim=2, epochs=2, batch_size=4, callbacks=[Recorder(1)]
    )
    with pytest.raises(KeyboardInterrupt):
        model.fit(X)
    assert stderr_identity() == before
    assert not hasattr(model, "model_")  # nothing half-set
    # The fit turn was given back: another fit runs.
    LSTMAutoencoderTransformer(units=(3,), encoding_dim=2, epochs=1).fit(X)


def test_import_drops_only_tensorflows_lines(capfd):
    # The import's filter: native log lines dropped, everything else written
    # afterwards in order (a warning raised during the import is kept).
    def noisy():
        os.write(2, ONEDNN + b"\n" + PREAMBLE + b"\n")
        os.write(2, b"a plain native line\n")
        # (as Python's warning machinery writes it; pytest's capture would
        # catch a real warning before it reaches the descriptor)
        os.write(2, b"UserWarning: a warning during the import\n")
        os.write(2, b"partial, no newline")

    without_native_logs(noisy)
    err = capfd.readouterr().err
    assert "util.cc" not in err and "absl::InitializeLog" not in err
    assert err.index("a plain native line") < err.index("a warning during the import")
    assert err.endswith("partial, no newline")


@pytest.mark.slow
def test_a_default_run_is_quiet_and_keeps_the_users_output_in_order():
    # A user's script: absl-format log lines, a Python warning, '\r' progress
    # and stdout/stderr lines written in turn from callbacks; a grid search and
    # a predictor's cross-validation in loky workers (which import the package
    # in their own processes). Both streams go to one pipe, as
    # `python job.py > log 2>&1` does.
    script = """
    import os, sys, warnings
    from sklearn_lstmae import LSTMAutoencoderTransformer  # before TensorFlow
    import keras, numpy as np
    from sklearn.model_selection import GridSearchCV

    class Talk(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            line = b"W1203 23:49:46.885042 1396 job.py:15] USER absl %d\\n"
            os.write(2, line % batch)
            for i in range(2):
                print(f"OUT {batch}.{i}", flush=True)
                print(f"ERR {batch}.{i}", file=sys.stderr, flush=True)
            sys.stderr.write(f"\\rprogress {batch}"); sys.stderr.flush()
            if batch == 0:
                warnings.warn("a user-visible warning")

    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    ae = LSTMAutoencoderTransformer(
        units=3, encoding_dim=2, epochs=1, batch_size=4, validation_split=0.0,
        callbacks=[Talk()],
    )
    ae.fit(X).transform(X)
    # One candidate, one fold per worker: what is checked is the workers' output.
    search = GridSearchCV(ae.set_params(callbacks=None), {"encoding_dim": [2]},
                          cv=2, n_jobs=2)
    search.fit(X)
    # A predictor's folds in the same (reused) workers.
    from sklearn.model_selection import cross_val_score
    from sklearn_lstmae import LSTMSequencePredictor
    cross_val_score(LSTMSequencePredictor(units=3, epochs=1, batch_size=4),
                    X[:, :4], X[:, 4:], cv=2, n_jobs=2)
    print("done", flush=True)
    """
    result = run(script, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert result.returncode == 0, result.stdout
    output = result.stdout
    for line in START_UP:
        assert line not in output
    assert "util.cc" not in output
    assert output.count("USER absl") == 4
    assert "UserWarning: a user-visible warning" in output
    assert output.count("progress ") == 4  # ('\r' read as a newline)
    written = [f"{kind} {b}.{i}" for b in range(4) for i in range(2) for kind in "OE"]
    logged = [
        line[:1] + line[3:]
        for line in output.splitlines()
        if line.startswith(("OUT ", "ERR "))
    ]
    assert logged == written


@pytest.mark.slow
def test_a_crash_during_a_fit_keeps_its_report():
    # faulthandler writes to fd 2 while the process dies: nothing may sit
    # between it and the real stderr.
    script = """
    import ctypes, faulthandler
    import keras, numpy as np
    from sklearn_lstmae import LSTMAutoencoderTransformer
    faulthandler.enable()
    crash = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: ctypes.string_at(0))
    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    LSTMAutoencoderTransformer(units=3, encoding_dim=2, epochs=1,
                               callbacks=[crash]).fit(X)
    """
    result = run(script, capture_output=True)
    assert result.returncode != 0
    assert "Fatal Python error: Segmentation fault" in result.stderr


@pytest.mark.slow
def test_runs_without_a_stderr():
    # A process started with fd 2 closed (`python job.py 2>&-`, daemons)
    # imports the package and fits; writes to stderr fail as they would
    # without the package (they never block).
    script = """
    import os
    import sklearn_lstmae
    import keras, numpy as np

    def write(*_):
        for _ in range(200):
            try:
                os.write(2, b"y" * 1023 + b"\\n")
            except OSError:
                break

    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    sklearn_lstmae.LSTMAutoencoderTransformer(
        units=3, encoding_dim=2, epochs=1,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=write)],
    ).fit(X).transform(X)
    print("fit returned", flush=True)
    """
    result = run(
        script,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(2),
    )
    assert "fit returned" in result.stdout


@pytest.mark.slow
def test_a_user_chosen_log_level_is_respected():
    script = """
    import os
    import sklearn_lstmae
    print(os.environ["TF_CPP_MIN_LOG_LEVEL"])
    """
    result = run(
        script,
        env={**clean_environment(), "TF_CPP_MIN_LOG_LEVEL": "1"},
        capture_output=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


@pytest.mark.parametrize(
    "line, dropped",
    [
        (ONEDNN, True),
        (PREAMBLE, True),
        (b"I1125 13:05:59.123456   12345 rendezvous.cc:42] End of sequence", True),
        (b"W0000 00:00:1732540000.1 7 cpu_feature_guard.cc:210] This TF binary", True),
        (b"To enable the following instructions: AVX2 FMA, in other ops", True),
        (b"F1125 13:05:59.123456   12345 check.cc:9] Check failed: fatal", False),
        (b"UserWarning: E0000 00:00:1.0 1 a.cc:1] quoted", False),
        (b"Traceback (most recent call last):", False),
    ],
)
def test_what_counts_as_a_native_log_line(line, dropped):
    assert _is_native_log(line) is dropped
