"""Silence of TensorFlow's C++ logging, on any CPU, in every process."""

import os
import subprocess
import sys
import textwrap

import pytest

from sklearn_lstmae._quiet import _is_native_log

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

#: A fit, transform and predict whose network writes TensorFlow-style log lines
#: straight to file descriptor 2 (as TensorFlow's C++ code does) while it
#: trains and infers, next to a Python warning and a plain native line that
#: must both still reach stderr.
SCRIPT = textwrap.dedent(
    """
    import os, warnings
    {first}
    from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor
    import keras, numpy as np
    from sklearn_lstmae import _inference

    NOISE = {noise!r}

    class Noisy(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            os.write(2, NOISE)
            if batch == 0:
                warnings.warn("a user-visible warning")
                os.write(2, b"a plain native line\\n")

    original = _inference._forward_function

    def noisy_inference(model):
        function = original(model)

        def run(inputs):
            os.write(2, NOISE)
            return function(inputs)

        return run

    _inference._forward_function = noisy_inference
    X = np.random.RandomState(0).normal(size=(16, 6, 2))
    ae = LSTMAutoencoderTransformer(
        units=3, encoding_dim=2, epochs=1, callbacks=[Noisy()]
    )
    ae.fit(X).transform(X)
    ae.score(X)
    LSTMSequencePredictor(units=3, epochs=1, callbacks=[Noisy()]).fit(
        X[:, :4], X[:, 4:]
    ).predict(X[:, :4])
    {extra}
    """
)

SEARCH = textwrap.dedent(
    """
    from sklearn.model_selection import GridSearchCV
    GridSearchCV(ae, {"encoding_dim": [2, 3]}, cv=2, n_jobs=2).fit(X)
    """
)


def run(env, extra="", first=""):
    noise = ONEDNN + b"\n" + PREAMBLE + b"\n"
    script = SCRIPT.format(noise=noise, extra=extra, first=first)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )


def clean_environment():
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("TF_", "SKLEARN_"))
    }


@pytest.mark.slow
def test_native_log_lines_are_dropped_and_everything_else_kept():
    result = run(clean_environment(), extra=SEARCH)
    assert result.returncode == 0, result.stderr
    assert "util.cc" not in result.stderr
    assert "absl::InitializeLog" not in result.stderr
    # Python warnings and other native writes are never swallowed, in the main
    # process (two fits) or in the loky workers of the search (which print
    # theirs from their own processes).
    assert result.stderr.count("UserWarning: a user-visible warning") >= 2
    assert result.stderr.count("a plain native line") >= 2


def test_keras_imported_first_still_filters_fits():
    # Keras imports JAX when it is installed, and JAX sets TF_CPP_MIN_LOG_LEVEL:
    # that is not the user's choice. (TensorFlow's own start-up lines, printed
    # before our package was imported, are not ours to hide.)
    result = run(clean_environment(), first="import keras")
    assert result.returncode == 0, result.stderr
    assert "4242 util.cc" not in result.stderr
    assert "a plain native line" in result.stderr


def test_a_user_chosen_log_level_is_respected():
    result = run({**clean_environment(), "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert result.returncode == 0, result.stderr
    assert "util.cc:131] oneDNN" in result.stderr


@pytest.mark.parametrize(
    "line, dropped",
    [
        (ONEDNN, True),
        (PREAMBLE, True),
        (b"I1125 13:05:59.123456   12345 rendezvous.cc:42] End of sequence", True),
        (b"W0000 00:00:1732540000.1 7 cpu_feature_guard.cc:210] This TF binary", True),
        (b"F1125 13:05:59.123456   12345 check.cc:9] Check failed: fatal", False),
        (b"UserWarning: E0000 00:00:1.0 1 a.cc:1] quoted", False),
        (b"Traceback (most recent call last):", False),
    ],
)
def test_what_counts_as_a_native_log_line(line, dropped):
    assert _is_native_log(line) is dropped


BLOCKS = textwrap.dedent(
    """
    import os, sys
    from sklearn_lstmae._quiet import native_logs_filtered

    NOISE = {noise!r}
    for block in range(3):
        with native_logs_filtered():
            os.write(2, NOISE + b"inside %d\\n" % block + b"partial %d" % block)
        os.write(2, b" after %d\\n" % block)
    # Between blocks stderr may change (a redirect, pytest's capfd): the next
    # block forwards to the new one.
    with open("redirected.txt", "wb") as file:
        os.dup2(file.fileno(), 2)
    with native_logs_filtered():
        os.write(2, NOISE + b"to the file\\n")
    os.write(2, b"also to the file\\n")
    """
)


def test_filter_keeps_order_across_blocks_and_follows_stderr(tmp_path):
    # One reader thread serves every block; each block's output is forwarded
    # before what follows it, partial lines included, and to the stderr of
    # the block.
    script = BLOCKS.format(noise=ONEDNN + b"\n")
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env=clean_environment(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    expected = b"".join(
        b"inside %d\npartial %d after %d\n" % (i, i, i) for i in range(3)
    )
    assert result.stderr == expected
    assert (tmp_path / "redirected.txt").read_bytes() == (
        b"to the file\nalso to the file\n"
    )
