"""Regenerate every speed section of benchmarks/RESULTS.md, one script at a time.

    python benchmarks/run_all.py
    python benchmarks/run_all.py --smoke   # every script, tiny sizes: a check

Needs the ``bench`` extra (``pip install -e ".[bench]"``); the JAX rows also need
the ``jax`` extra and are skipped without it. Takes about 45 minutes on 2 cores.

``--smoke`` runs every script in ``benchmarks/`` (the quality, anomaly and
forecasting ones too) with ``--smoke``: the same code paths at tiny sizes, their
tables printed, RESULTS.md left alone. It stops at the first script that fails,
naming it, with a non-zero exit status, and prints each script's time: a check
that the benchmarks still run against the package as it is (a few minutes on 2
cores).
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
#: What ``--smoke`` needs besides the package: the ``bench`` extra.
BENCH_EXTRA = ("psutil", "aeon", "statsmodels")
#: Longest a smoke script may take (they take seconds to a minute).
SMOKE_TIMEOUT = 600


def run(script, **env):
    print(f"== {script} {env or ''}", flush=True)
    subprocess.run(
        [sys.executable, str(HERE / script)], check=True, env={**os.environ, **env}
    )


def main():
    run("bench_import.py")
    run("bench_inference.py")
    run("bench_memory.py")
    run("bench_fit.py")
    run("bench_small.py")
    run("investigate_long_sequences.py")
    if importlib.util.find_spec("jax") is not None:
        run("bench_fit.py", KERAS_BACKEND="jax")
    else:
        print("jax is not installed: skipping the JAX backend", flush=True)


def smoke_runs():
    """``(script and arguments, environment)`` of every smoke run, in order."""
    runs = [
        (["bench_import.py"], {}),
        (["bench_inference.py"], {}),
        (["bench_memory.py"], {}),
        (["bench_fit.py"], {}),
    ]
    if importlib.util.find_spec("jax") is not None:
        runs.append((["bench_fit.py"], {"KERAS_BACKEND": "jax"}))
    else:
        print("jax is not installed: skipping the JAX backend", flush=True)
    runs += [
        (["bench_small.py"], {}),
        (["investigate_long_sequences.py"], {}),
        (["investigate_pca_sidecar.py"], {}),
        (["investigate_interval_calibration.py"], {}),
        (["quality.py"], {}),
        (["quality.py", "--reconstruction"], {}),
        (["anomaly.py"], {}),
        (["forecast.py"], {}),
        (["forecast_figure.py"], {}),
        (["learning.py"], {}),
    ]
    return runs


def smoke():
    """Every script with ``--smoke``, one after another; stop at a failure."""
    missing = [name for name in BENCH_EXTRA if importlib.util.find_spec(name) is None]
    if missing:
        sys.exit(
            f"run_all.py --smoke: {', '.join(missing)} not installed; the "
            'benchmarks need the bench extra: pip install -e ".[bench]"'
        )
    runs = smoke_runs()
    durations = []
    start = time.perf_counter()
    for number, (args, env) in enumerate(runs, 1):
        label = " ".join(
            [
                *(f"{key}={value}" for key, value in env.items()),
                f"python benchmarks/{args[0]}",
                *args[1:],
                "--smoke",
            ]
        )
        print(f"\n== [{number}/{len(runs)}] {label}", flush=True)
        began = time.perf_counter()
        try:
            status = subprocess.run(
                [sys.executable, str(HERE / args[0]), *args[1:], "--smoke"],
                env={**os.environ, **env},
                timeout=SMOKE_TIMEOUT,
            ).returncode
            why = f"exited with status {status}"
        except subprocess.TimeoutExpired:
            status, why = -1, f"took longer than {SMOKE_TIMEOUT} s"
        seconds = time.perf_counter() - began
        durations.append((label, seconds))
        result = "ok" if status == 0 else "FAILED"
        print(f"-- {label}: {result} in {seconds:.1f} s", flush=True)
        if status != 0:
            _summary(durations)
            sys.exit(
                f"\nrun_all.py --smoke FAILED: `{label}` {why} after {seconds:.1f} s "
                f"({number - 1} of {len(runs)} smoke runs passed before it)."
            )
    _summary(durations)
    total = time.perf_counter() - start
    print(
        f"\nrun_all.py --smoke: all {len(runs)} benchmark smoke runs passed in "
        f"{total:.0f} s ({total / 60:.1f} min).",
        flush=True,
    )


def _summary(durations):
    print("\nSmoke run times:", flush=True)
    for label, seconds in durations:
        print(f"  {seconds:6.1f} s  {label}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="run every benchmark script with --smoke (tiny sizes, no RESULTS.md)",
    )
    if parser.parse_args().smoke:
        smoke()
    else:
        main()
