"""Inference speed: ``transform``/``predict`` vs ``Model.predict`` on the same model.

A transformer and a predictor with the package's defaults (64 LSTM units; the
transformer's codes are its ``encoding_dim=16`` bottleneck followed by the mean
and max of the 64 encoder outputs, 144 values, the width read from the fitted
transformer) are fitted for one epoch on W1-shaped data (30 steps x 3
features). Then, interleaved and repeated (median):

- latency of one sequence: ``transform(x)`` vs ``encoder_.predict(x)``, and
  ``predict(x)`` vs ``model_.predict(x)``;
- throughput on 10,000 sequences, the same pairs;
- 1,000,000 sequences through ``transform``, in a fresh process each (ours, then
  ``Model.predict``): time and peak resident memory (the input itself is 343 MB).

``Model.predict`` is given the network's inputs already prepared (scaled; for
the predictor also its per-window level removed, ``level_``): it does less
work than our methods, which also check and prepare their input.

    python benchmarks/bench_inference.py
    python benchmarks/bench_inference.py --smoke   # 2,000 for 1M, no RESULTS.md
"""

import argparse
import json
import threading
import time

from _common import (
    SMOKE_HELP,
    Stopwatch,
    make_data,
    median,
    run_child,
    set_smoke,
    smoke_mode,
    table,
    write_section,
)

from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor

N_TIMESTEPS, N_FEATURES = 30, 3
#: Sequences to fit on, of the throughput run and of the fresh-process run.
SIZES = {"fit": 2000, "many": 10_000, "million": 1_000_000}
SMOKE_SIZES = {"fit": 200, "many": 500, "million": 2_000}


def sizes():
    return SMOKE_SIZES if smoke_mode() else SIZES


def fitted_transformer(**params):
    """The transformer of the measurements, fitted for one epoch."""
    X = make_data(sizes()["fit"], N_TIMESTEPS, N_FEATURES)
    return LSTMAutoencoderTransformer(
        units=(64,), epochs=1, batch_size=64, random_state=0, **params
    ).fit(X)


def fitted():
    """The transformer and the predictor of the measurements."""
    transformer = fitted_transformer()
    X = make_data(sizes()["fit"], N_TIMESTEPS, N_FEATURES)
    predictor = LSTMSequencePredictor(
        units=(64,), epochs=1, batch_size=64, random_state=0
    ).fit(X[:, :20], X[:, 20:])
    return transformer, predictor


def network_inputs(estimator, X):
    """What ``estimator``'s network sees for ``X``: checked, prepared (for the
    predictor its level removed) and scaled, as its methods feed it."""
    return estimator._model_inputs(estimator._check_sequences(X, reset=False))


def code_width(transformer):
    """Values per code, as ``transform`` returns them."""
    return len(transformer.get_feature_names_out())


def pairs(transformer, predictor, X):
    """(ours, Keras) callables per task, Keras fed the prepared inputs."""
    scaled = network_inputs(transformer, X)
    scaled_past = network_inputs(predictor, X[:, :20])
    return {
        "transform": (
            lambda: transformer.transform(X),
            lambda: transformer.encoder_.predict(scaled, verbose=0),
        ),
        "predict": (
            lambda: predictor.predict(X[:, :20]),
            lambda: predictor.model_.predict(scaled_past, verbose=0),
        ),
    }


def interleaved(functions, repeats):
    times = {name: [] for name in functions}
    for function in functions.values():  # warm-up: tracing, first call
        function()
    for _ in range(repeats):
        for name, function in functions.items():
            with Stopwatch() as watch:
                function()
            times[name].append(watch.seconds)
    return {name: median(values) for name, values in times.items()}


class PeakRSS:
    """Highest resident memory of this process while the block runs (sampled
    every 2 ms by a thread: the process' lifetime maximum would also count
    the generation of the input)."""

    def __enter__(self):
        import psutil

        self._process = psutil.Process()
        self.peak = self._process.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample)
        self._thread.start()
        return self

    def _sample(self):
        while not self._done.wait(0.002):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)


def one_million(which):
    """Child process: time and peak RSS of 1M sequences (2,000 in smoke mode)
    through one path."""
    import psutil

    # "ours-narrow": the codes without the pooled outputs (the bottleneck's 16
    # values), to tell the memory of the codes from the rest of the call.
    transformer = fitted_transformer(
        **({"pooling": None} if which == "ours-narrow" else {})
    )
    X = make_data(sizes()["million"], N_TIMESTEPS, N_FEATURES, seed=1)
    before = psutil.Process().memory_info().rss
    if which == "keras":
        # What a Keras user runs: scale, then predict (for the transformer's
        # fixed-length input, exactly the network's input).
        function = lambda: transformer.encoder_.predict(  # noqa: E731
            transformer.scaler_.transform(X), batch_size=4096, verbose=0
        )
    else:
        function = lambda: transformer.transform(X)  # noqa: E731
    peak = PeakRSS()
    with peak:
        start = time.perf_counter()
        codes = function()
        seconds = time.perf_counter() - start
    width = code_width(transformer)
    assert codes.shape == (len(X), width), (codes.shape, width)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak": peak.peak,
                "before": before,
                "input": X.nbytes,
                "n_samples": len(X),
                "width": width,
            }
        )
    )


#: The 1M-sequence paths, as the table names them.
PATHS = {
    "ours": "ours: `transform`, defaults",
    "keras": "`encoder_.predict`, defaults",
    "ours-narrow": "ours: `transform`, `pooling=None`",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--one-million", choices=["ours", "ours-narrow", "keras"])
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    args = parser.parse_args()
    if set_smoke(args.smoke):
        args.repeats = 3
    if args.one_million:
        one_million(args.one_million)
        return
    transformer, predictor = fitted()
    many = sizes()["many"]
    rows = []
    for label, n_samples, repeats in [
        ("1 sequence", 1, args.repeats),
        (f"{many:,} sequences", many, max(3, args.repeats // 6)),
    ]:
        X = make_data(n_samples, N_TIMESTEPS, N_FEATURES, seed=2)
        for task, (ours, keras_predict) in pairs(transformer, predictor, X).items():
            times = interleaved({"ours": ours, "keras": keras_predict}, repeats)
            rows.append(
                [
                    task,
                    label,
                    f"{times['ours'] * 1e3:.2f} ms",
                    f"{times['keras'] * 1e3:.2f} ms",
                    f"{times['keras'] / times['ours']:.1f}x",
                ]
            )
            print(rows[-1], flush=True)
    million = {}
    for which in ("ours", "keras", "ours-narrow"):
        million[which] = run_child(__file__, "--one-million", which)
        print(which, million[which], flush=True)
    mib = 2**20
    n_million = million["ours"]["n_samples"]
    body = (
        f"Package defaults ({million['ours']['width']}-value codes), fitted for "
        "one epoch; `Model.predict` fed the prepared inputs:\n\n"
        + table(
            ["method", "input", "ours", "Model.predict", "speed-up"],
            rows,
        )
        + f"\n\n{n_million:,} sequences (30 x 3, float32: "
        + f"{million['ours']['input'] / mib:.0f} MiB of input), each in a fresh "
        + "process:\n\n"
        + table(
            [
                "path",
                "code width",
                "time",
                "RSS before the call (input included)",
                "peak RSS during the call",
                "RSS added by the call",
            ],
            [
                [
                    PATHS[which],
                    str(result["width"]),
                    f"{result['seconds']:.1f} s",
                    f"{result['before'] / mib:.0f} MiB",
                    f"{result['peak'] / mib:.0f} MiB",
                    f"{(result['peak'] - result['before']) / mib:.0f} MiB",
                ]
                for which, result in million.items()
            ],
        )
        + f"\n\nSpeed-up of `transform` on {n_million:,}: "
        f"{million['keras']['seconds'] / million['ours']['seconds']:.2f}x."
    )
    print(body)
    write_section(
        "inference",
        "Inference latency, throughput and memory",
        body,
        "python benchmarks/bench_inference.py",
    )


if __name__ == "__main__":
    main()
