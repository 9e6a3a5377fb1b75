"""The demo: ``python -m sklearn_lstmae``."""

import subprocess
import sys
import time

import pytest


@pytest.mark.slow
@pytest.mark.timed
def test_demo_runs_quietly_and_beats_the_raw_baseline():
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_lstmae"], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = dict(
        line.rsplit(":", 1)
        for line in result.stdout.splitlines()
        if "accuracy, " in line
    )
    codes = float(lines["Test accuracy, LSTM autoencoder codes + LR"])
    raw = float(lines["Test accuracy, raw flattened sequences + LR"])
    assert codes >= 0.9 and codes > raw
    assert "Reconstruction error" in result.stdout
    assert seconds < 120, seconds
