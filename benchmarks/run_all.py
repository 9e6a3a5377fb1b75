"""Regenerate every speed section of benchmarks/RESULTS.md, one script at a time.

    python benchmarks/run_all.py

Needs the ``bench`` extra (``pip install -e ".[bench]"``); the JAX rows also need
the ``jax`` extra and are skipped without it. Takes about 45 minutes on 2 cores.
"""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


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
    run("investigate_long_sequences.py")
    if importlib.util.find_spec("jax") is not None:
        run("bench_fit.py", KERAS_BACKEND="jax")
    else:
        print("jax is not installed: skipping the JAX backend", flush=True)


if __name__ == "__main__":
    main()
