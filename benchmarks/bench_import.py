"""Import time of ``sklearn_lstmae`` next to what it stands on.

Each import runs in a fresh interpreter; rounds interleave the modules and the
median is reported, with ratios to ``import keras`` (TensorFlow backend).

    python benchmarks/bench_import.py
    python benchmarks/bench_import.py --smoke   # 1 round, 2 modules
"""

import argparse
import subprocess
import sys

from _common import SMOKE_HELP, median, set_smoke, table, write_section

MODULES = [
    "numpy",
    "sklearn",
    "tensorflow",
    "keras",
    "scikeras.wrappers",
    "sklearn_lstmae",
]
#: Smoke mode (``--smoke``): the package and the reference of the ratios.
SMOKE_MODULES = ["keras", "sklearn_lstmae"]

_TIMER = (
    "import time, importlib; start = time.perf_counter(); "
    "importlib.import_module({module!r}); print(time.perf_counter() - start)"
)


def import_seconds(module: str) -> float:
    output = subprocess.run(
        [sys.executable, "-c", _TIMER.format(module=module)],
        check=True,
        stdout=subprocess.PIPE,  # errors show on stderr
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    modules = MODULES
    if set_smoke(args.smoke):
        args.rounds, modules = 1, SMOKE_MODULES
    times = {module: [] for module in modules}
    for _ in range(args.rounds):
        for module in modules:
            times[module].append(import_seconds(module))
    medians = {module: median(values) for module, values in times.items()}
    rows = [
        [f"`import {module}`", f"{seconds:.2f} s", f"{seconds / medians['keras']:.2f}x"]
        for module, seconds in medians.items()
    ]
    body = (
        f"Fresh interpreter per import, median of {args.rounds} interleaved rounds; "
        "ratio to `import keras`. `sklearn_lstmae` imports Keras, TensorFlow and "
        "scikeras, so its time is theirs plus its own.\n\n"
        + table(["import", "time", "ratio to keras"], rows)
    )
    print(body)
    write_section("import", "Import time", body, "python benchmarks/bench_import.py")


if __name__ == "__main__":
    main()
