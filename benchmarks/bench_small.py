"""Small fits: time to accuracy on small real datasets ("Speed II").

The goals, on 2 CPU cores: the first fit of our defaults in a fresh process,
``make_pipeline(LSTMAutoencoderTransformer(random_state=seed), StandardScaler(),
LogisticRegression(max_iter=1000))``, within 3 s, with test accuracy 0.98 on
GunPoint and 1.00 on BasicMotions; a grid search of 8 fits (4 candidates x
cv=2) within 4x that one fit.

Measured on GunPoint and BasicMotions (aeon's copies, standard splits), for seeds
0, 1, 2 (median times, mean accuracies), each measurement in a fresh process:

- (a) the pipeline's first fit in the process (tracing included; imports done
  before, timed apart) and its test accuracy;
- (b) the second fit in that process, of a fresh identical pipeline
  (``clone``, as a grid search's candidates are): its traced steps are reused;
- (c) ``GridSearchCV(pipeline, {"lstmautoencodertransformer__optimizer__
  learning_rate": [0.002, 0.005], "lstmautoencodertransformer__batch_size":
  [16, 32]}, cv=2, refit=False, n_jobs=1)``, timed in a fresh process: total
  seconds and the ratio to (a);
- (a) and (b) with ``KERAS_BACKEND=jax`` (when jax is installed);
- MiniRocket + RidgeClassifierCV (as in ``quality.py``) for reference: first and
  second fit, accuracy.

    pip install -e ".[bench]"   # aeon: for this script only
    python benchmarks/bench_small.py
    python benchmarks/bench_small.py --smoke   # GunPoint, 1 seed, 2 epochs
"""

import argparse
import importlib.util
import json

import numpy as np
from _common import (
    SMOKE_HELP,
    Stopwatch,
    load,
    median,
    run_child,
    set_smoke,
    smoke_mode,
    table,
    write_section,
)

DATASETS = ("GunPoint", "BasicMotions")
SEEDS = (0, 1, 2)
GRID = {
    "lstmautoencodertransformer__optimizer__learning_rate": [0.002, 0.005],
    "lstmautoencodertransformer__batch_size": [16, 32],
}
CV = 2
#: Smoke mode: GunPoint, seed 0, 2 epochs per fit, one grid candidate.
SMOKE_DATASETS, SMOKE_SEEDS, SMOKE_EPOCHS = ("GunPoint",), (0,), 2
SMOKE_GRID = {key: values[:1] for key, values in GRID.items()}

#: The goals of "Speed II".
GOAL_SECONDS, GOAL_GRID_RATIO = 3.0, 4.0
GOAL_ACCURACY = {"GunPoint": 0.98, "BasicMotions": 1.00}

OURS = "ours, defaults"
MINIROCKET = "MiniRocket + RidgeClassifierCV"


def grid():
    return SMOKE_GRID if smoke_mode() else GRID


def n_grid_fits():
    return CV * int(np.prod([len(values) for values in grid().values()]))


def ours(seed):
    """The pipeline of the goals: our defaults' codes -> LogisticRegression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_lstmae import LSTMAutoencoderTransformer

    pipeline = make_pipeline(
        LSTMAutoencoderTransformer(random_state=seed),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )
    if smoke_mode():
        pipeline.set_params(lstmautoencodertransformer__epochs=SMOKE_EPOCHS)
    return pipeline


def minirocket(seed):
    from aeon.transformations.collection.convolution_based import MiniRocket
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(
        MiniRocket(random_state=seed),
        StandardScaler(with_mean=False),
        RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
    )


def two_fits(dataset, seed, which):
    """Child: imports, then (a) a first fit and (b) a second fit of a clone."""
    X_train, y_train, X_test, y_test = load(dataset)
    if which == "minirocket":  # aeon is channels-first
        X_train, X_test = X_train.transpose(0, 2, 1), X_test.transpose(0, 2, 1)
    with Stopwatch() as imports:
        from sklearn.base import clone

        make = minirocket if which == "minirocket" else ours
        pipeline = make(seed)
    result = {"import": imports.seconds}
    for fit in ("first", "second"):
        model = clone(pipeline)
        with Stopwatch() as watch:
            model.fit(X_train, y_train)
        result[fit] = watch.seconds
        result[f"{fit}_accuracy"] = model.score(X_test, y_test)
    if which == "ours":
        import keras

        estimator = model[0]
        result |= {
            "backend": keras.backend.backend(),
            "epochs": len(estimator.history_["loss"]),
            "jit": bool(estimator.jit_compile_),
        }
    return result


def grid_search(dataset, seed):
    """Child: the grid search of the goals, timed in a fresh process."""
    from sklearn.model_selection import GridSearchCV

    X_train, y_train, _, _ = load(dataset)
    search = GridSearchCV(ours(seed), grid(), cv=CV, refit=False, n_jobs=1)
    with Stopwatch() as watch:
        search.fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    return {"seconds": watch.seconds, "fits": len(scores) * CV, "best": scores.max()}


def available(module):
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a missing parent package
        return False


def contenders():
    """(label, child, backend) of every fresh-process measurement of a seed."""
    backends = ["tensorflow"]
    if available("jax"):
        backends.append("jax")
    else:
        print("jax is not installed: skipping the JAX rows", flush=True)
    rows = [(f"{OURS} ({backend})", "ours", backend) for backend in backends]
    rows.append(("grid search (tensorflow)", "grid", "tensorflow"))
    if available("aeon.transformations.collection.convolution_based"):
        rows.append((MINIROCKET, "minirocket", "tensorflow"))
    else:
        print("aeon's MiniRocket is not available: skipping it", flush=True)
    return rows


def run(dataset, seeds, rows):
    """Every measurement of every seed, interleaved, each in a fresh process."""
    results = {}
    for seed in seeds:
        for label, child, backend in rows:
            result = run_child(
                __file__,
                "--child",
                child,
                dataset,
                str(seed),
                env={"KERAS_BACKEND": backend},
            )
            results.setdefault(label, []).append(result)
            print(f"{dataset} seed {seed} {label}: {result}", flush=True)
    return results


def summarize(runs):
    """Median of the times, mean of the accuracies over seeds."""
    summary = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        if key in ("backend", "jit"):
            summary[key] = values[0]
        elif "accuracy" in key or key in ("best", "epochs"):
            summary[key] = float(np.mean(values))
        else:
            summary[key] = median(values)
    return summary


def verdict(met):
    return "met" if met else "NOT met"


def report(results, seeds) -> str:
    fit_rows, grid_rows, goals = [], [], []
    for dataset, by_label in results.items():
        summaries = {label: summarize(runs) for label, runs in by_label.items()}
        first = summaries[f"{OURS} (tensorflow)"]
        for label, summary in summaries.items():
            if label.startswith("grid"):
                fits = int(summary["fits"])
                grid_rows.append(
                    [
                        dataset,
                        f"{fits} fits (cv={CV})",
                        f"{summary['seconds']:.1f} s",
                        f"{summary['seconds'] / fits:.2f} s",
                        f"{summary['seconds'] / first['first']:.1f}x",
                        f"{summary['best']:.3f}",
                    ]
                )
                continue
            accuracy = f"{summary['first_accuracy']:.3f}"
            if summary["second_accuracy"] != summary["first_accuracy"]:
                accuracy += f" (b: {summary['second_accuracy']:.3f})"
            fit_rows.append(
                [
                    dataset,
                    label,
                    f"{summary['epochs']:.0f}" if "epochs" in summary else "-",
                    f"{summary['import']:.1f} s",
                    f"{summary['first']:.2f} s",
                    f"{summary['second']:.2f} s",
                    accuracy,
                ]
            )
        grid_summary = next(s for k, s in summaries.items() if k.startswith("grid"))
        ratio = grid_summary["seconds"] / first["first"]
        goal_accuracy = GOAL_ACCURACY[dataset]
        goals.append(
            f"{dataset}: first default fit {first['first']:.2f} s (goal <= "
            f"{GOAL_SECONDS:.0f} s: {verdict(first['first'] <= GOAL_SECONDS)}); "
            f"test accuracy {first['first_accuracy']:.3f} (goal "
            f"{goal_accuracy:.2f}: "
            f"{verdict(round(first['first_accuracy'], 3) >= goal_accuracy)}); "
            f"grid search of {int(grid_summary['fits'])} fits "
            f"{grid_summary['seconds']:.1f} s = {ratio:.1f}x the first fit (goal, "
            f"8 fits <= {GOAL_GRID_RATIO:.0f}x: {verdict(ratio <= GOAL_GRID_RATIO)})"
        )
    return (
        f"Seeds {', '.join(map(str, seeds))}: median times, mean test accuracies; "
        "standard train/test splits; every measurement in a fresh process. "
        "Ours: `make_pipeline(LSTMAutoencoderTransformer(random_state=seed), "
        "StandardScaler(), LogisticRegression(max_iter=1000))`"
        + (f" with {SMOKE_EPOCHS} epochs (smoke run)" if smoke_mode() else "")
        + ". *(a)*: the first fit in the process (tracing included, imports "
        "timed apart in *import*: keras and our package, or aeon's MiniRocket); "
        "*(b)*: the second fit in that process, of a fresh clone; *epochs*: "
        "epochs trained (early stopping ends most fits before 100).\n\n"
        + table(
            [
                "dataset",
                "contender",
                "epochs",
                "import",
                "first fit (a)",
                "second fit (b)",
                "test accuracy (a)",
            ],
            fit_rows,
        )
        + f"\n\nGrid search in a fresh process: `GridSearchCV(pipeline, {grid()}, "
        f"cv={CV}, refit=False, n_jobs=1)`, TensorFlow backend:\n\n"
        + table(
            [
                "dataset",
                "grid",
                "total",
                "per fit",
                "total / first fit (a)",
                "best mean CV accuracy",
            ],
            grid_rows,
        )
        + "\n\nGoals (2 CPU cores)"
        + (
            f" (smoke run: {SMOKE_EPOCHS} epochs, one grid candidate; not the "
            "goals' measurement)"
            if smoke_mode()
            else ""
        )
        + ":\n\n"
        + "\n".join(f"- {line}" for line in goals)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=list(SEEDS))
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    parser.add_argument(
        "--child", nargs=3, metavar=("WHICH", "DATASET", "SEED"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.datasets, args.seeds = list(SMOKE_DATASETS), list(SMOKE_SEEDS)
    if args.child:
        which, dataset, seed = args.child
        if which == "grid":
            result = grid_search(dataset, int(seed))
        else:
            result = two_fits(dataset, int(seed), which)
        print(json.dumps(result))
        return
    rows = contenders()
    results = {dataset: run(dataset, args.seeds, rows) for dataset in args.datasets}
    body = report(results, args.seeds)
    print(body)
    write_section(
        "small-fits",
        "Small fits: time to accuracy",
        body,
        "python benchmarks/bench_small.py",
    )


if __name__ == "__main__":
    main()
