"""Shared pieces of the benchmark scripts: workloads, the hand-written reference
model, timing, the RESULTS.md writer and smoke mode. Not part of the package.

Every script takes ``--smoke``: the same code path at tiny sizes (seconds to a
minute on 2 cores), its table printed, RESULTS.md left alone (``set_smoke``
turns ``write_section`` into a message). ``python benchmarks/run_all.py
--smoke`` runs them all, so that a change of the package's defaults that breaks
a script shows at once.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

RESULTS = Path(__file__).with_name("RESULTS.md")

#: The ``--smoke`` flag's help, the same in every script.
SMOKE_HELP = (
    "the same code path at tiny sizes (seconds to a minute): prints the table, "
    "does not write RESULTS.md"
)
_smoke = False


def set_smoke(on: bool) -> bool:
    """Turn smoke mode on or off (from a script's ``--smoke`` flag); returns it."""
    global _smoke
    _smoke = bool(on)
    return _smoke


def smoke_mode() -> bool:
    """Whether this process runs a smoke run: ``write_section`` writes nothing."""
    return _smoke


#: The workloads of issue 5: (n_sequences, n_timesteps, n_features).
WORKLOADS = {"W1": (2000, 30, 3), "W2": (1000, 200, 1)}


def make_data(n_samples, n_timesteps, n_features, seed=0):
    """Noisy sines with random phases, float32 (n, T, F)."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n_timesteps)[None, :, None]
    phase = rng.uniform(0, 2 * np.pi, (n_samples, 1, n_features))
    noise = 0.1 * rng.standard_normal((n_samples, n_timesteps, n_features))
    return (np.sin(steps / 5 + phase) + noise).astype(np.float32)


def hand_written_autoencoder(n_timesteps, n_features, units=64, jit_compile="auto"):
    """The reference model of the issue, written as a Keras user would:
    LSTM -> RepeatVector -> LSTM -> TimeDistributed(Dense), adam, mse."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input((n_timesteps, n_features)),
            layers.LSTM(units),
            layers.RepeatVector(n_timesteps),
            layers.LSTM(units, return_sequences=True),
            layers.TimeDistributed(layers.Dense(n_features)),
        ]
    )
    model.compile("adam", "mse", jit_compile=jit_compile)
    return model


def load(name):
    """A UCR/UEA dataset shipped with aeon, standard split, channels-last:
    ``X_train, y_train, X_test, y_test``."""
    import warnings

    from aeon import datasets

    loader = {
        "GunPoint": datasets.load_gunpoint,
        "BasicMotions": datasets.load_basic_motions,
        "ArrowHead": datasets.load_arrow_head,
        # Deprecated loaders in aeon 1.6, removed in 1.7: the bench extra pins <1.7.
        "OSULeaf": datasets.load_osuleaf,
        "ACSF1": datasets.load_acsf1,
    }[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        X_train, y_train = loader(split="train")
        X_test, y_test = loader(split="test")
    # aeon is channels-first (n, channels, length); we are channels-last.
    return (
        X_train.transpose(0, 2, 1),
        y_train,
        X_test.transpose(0, 2, 1),
        y_test,
    )


def pca_errors(train, test, k):
    """PCA(k)'s test reconstruction error per sequence, standardized like ours."""
    from sklearn.decomposition import PCA

    from sklearn_lstmae._data import SequenceScaler

    scaler = SequenceScaler().fit(train)
    fit, rows = (scaler.transform(X).reshape(len(X), -1) for X in (train, test))
    pca = PCA(min(k, *fit.shape), svd_solver="full").fit(fit)
    return ((rows - pca.inverse_transform(pca.transform(rows))) ** 2).mean(axis=1)


def run_child(script: str, *args: str, env: dict | None = None):
    """Run ``python script *args`` in a fresh process (with ``env`` added to its
    environment, e.g. ``KERAS_BACKEND``); the JSON on its last line.

    In smoke mode the child gets ``--smoke`` too. A failing child's error output
    is shown before the error is raised (it is captured otherwise)."""
    command = [sys.executable, script, *args, *(["--smoke"] * _smoke)]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    if result.returncode:
        sys.stderr.write(result.stderr[-20_000:])
        raise subprocess.CalledProcessError(
            result.returncode, command, result.stdout, result.stderr
        )
    return json.loads(result.stdout.strip().splitlines()[-1])


def median(values):
    return statistics.median(values)


class Stopwatch:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def machine() -> str:
    """One line describing where the numbers were taken."""
    import keras
    import sklearn

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = [f"keras {keras.__version__} ({keras.backend.backend()} backend)"]
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        versions.append(f"tensorflow {tf.__version__}")
    elif keras.backend.backend() == "jax":
        import jax

        versions.append(f"jax {jax.__version__}")
    versions.append(f"scikit-learn {sklearn.__version__}")
    return (
        f"{os.cpu_count()} CPU cores ({cpu}){memory}; Python "
        f"{platform.python_version()}; " + ", ".join(versions)
    )


def table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, title: str, body: str, command: str) -> None:
    """Replace (or append) one benchmark's section of RESULTS.md; in smoke mode,
    only say that it was not written."""
    if _smoke:
        print(f"\n[smoke: RESULTS.md not written ({name})]")
        return
    text = RESULTS.read_text() if RESULTS.exists() else _HEADER
    section = (
        f"<!-- begin {name} -->\n## {title}\n\n"
        f"Regenerate with `{command}`. Measured on: {machine()}.\n\n"
        f"{body.strip()}\n<!-- end {name} -->"
    )
    pattern = re.compile(
        rf"<!-- begin {re.escape(name)} -->.*?<!-- end {re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    RESULTS.write_text(text)
    print(f"\n[{name} written to {RESULTS}]")


_HEADER = """# Benchmark results

Each section below is written by one script in `benchmarks/` and names the
command that regenerates it; `python benchmarks/run_all.py` regenerates the speed
sections together. Ratios are measured side by side in one process, interleaved
(each contender once per round, median over rounds), so drifts of the machine
affect all contenders alike.
"""
