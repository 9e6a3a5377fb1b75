"""The examples run and print the numbers their prose claims (each test
checks the claims of one example)."""

import re
import runpy
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # before pyplot is imported (by the examples or below)

import matplotlib.pyplot as plt

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NUMBER = r"(-?[\d.]+(?:e-?\d+)?)"
#: Examples no test here runs (long, and they make no claim to check): in CI,
#: only the docs build executes them (see ``--docs-execute`` below and .ci/run).
DOCS_ONLY = ("plot_autoencoder_variants.py",)
#: A gallery figure shown on a page of the docs (``.. figure::``): sphinx-gallery
#: writes it only when it executes the example, so the docs build executes
#: every example whose figures a page shows, tested here or not.
GALLERY_FIGURE = re.compile(r"auto_examples/images/sphx_glr_(\w+?)_(\d{3})\.png")
DOCS = EXAMPLES.parent / "docs"


def figures_in_guides() -> dict:
    """``{example: highest figure number}`` of the gallery figures the docs'
    pages (outside the gallery) show."""
    shown = {}
    for page in DOCS.rglob("*.rst"):
        if "auto_examples" in page.parts or "_build" in page.parts:
            continue
        for name, number in GALLERY_FIGURE.findall(page.read_text()):
            shown[f"{name}.py"] = max(shown.get(f"{name}.py", 0), int(number))
    return shown


def docs_execute() -> list:
    """The examples the docs build executes: those no test runs, and those
    whose figures a page shows."""
    return sorted(set(DOCS_ONLY) | set(figures_in_guides()))


def run_by_tests() -> set:
    """The examples the tests of this file run."""
    return set(re.findall(r'run_example\("(\w+\.py)"', Path(__file__).read_text()))


def run_example(name, capsys):
    """Run ``examples/name`` as a script; return what it printed and how many
    figures it left open (then close them)."""
    plt.close("all")
    try:
        runpy.run_path(str(EXAMPLES / name), run_name="__main__")
        return capsys.readouterr().out, len(plt.get_fignums())
    finally:
        plt.close("all")


def number(pattern, output):
    """The float captured by the first group of ``pattern`` in ``output``."""
    match = re.search(pattern, output)
    assert match is not None, f"{pattern!r} not printed:\n{output}"
    return float(match.group(1))


def labelled(label, output):
    """The number printed after ``label`` (a regex) and a colon."""
    return number(label + r":\s*" + NUMBER, output)


@pytest.mark.slow
def test_forecasting_example_default_level_beats_naive_and_plain(capsys):
    output, _ = run_example("plot_forecasting.py", capsys)
    naive = float(re.search(r"Seasonal naive MAE: ([\d.]+)", output).group(1))
    row = r"{} +\(level_=(\w+) *, linear_kept_=(\w+) *\): MAE ([\d.]+)"
    plain = re.search(row.format("network alone, level=None"), output)
    auto = re.search(row.format("network alone, level=auto"), output)
    defaults = re.search(row.format("defaults"), output)
    assert None not in (plain, auto, defaults), output
    # The level of this growing, multiplicative series is removed: with its
    # windows scaled by their changes (which grow with the level), as "last".
    assert auto.group(1) == "last" and auto.group(2) == "False", output
    assert float(auto.group(3)) < float(plain.group(3)), output
    assert float(defaults.group(3)) < 0.5 * naive, output
    assert float(defaults.group(3)) < float(plain.group(3)), output
    # 12 test months: the share inside the 80% band is a rough check only.
    inside = re.search(r"80% interval: mean width ([\d.]+), holds (\d+)%", output)
    assert inside is not None and float(inside.group(1)) > 0, output
    assert int(inside.group(2)) >= 50, output


@pytest.mark.slow
def test_pipeline_classification_example(capsys):
    output, _ = run_example("plot_pipeline_classification.py", capsys)
    best = re.search(r"Best params: \{'autoencoder__encoding_dim': (\d+)\}", output)
    assert best is not None and int(best.group(1)) in (4, 8), output
    cv_scores = [
        float(score)
        for score in re.findall(r"encoding_dim=\d+: CV accuracy ([\d.]+)", output)
    ]
    assert len(cv_scores) == 2, output
    pipeline = number(r"LSTM autoencoder pipeline, test accuracy: ([\d.]+)", output)
    raw = number(r"Raw flattened series \+ LR, test accuracy: ([\d.]+)", output)
    # "The codes separate the waveforms far better than the raw values do."
    assert pipeline > 0.8, output
    assert pipeline > raw + 0.25, output
    # The raw baseline is closer to chance (1/3) than to a perfect score.
    assert raw < (1 / 3 + 1) / 2, output
    # "estimated this test accuracy to within a few points"
    assert abs(max(cv_scores) - pipeline) < 0.05, output


@pytest.mark.slow
def test_column_transformer_example(capsys):
    output, _ = run_example("plot_column_transformer.py", capsys)
    names = re.search(r"Feature names: (.+)", output).group(1).split(", ")
    prefix = "lags__lstmautoencodertransformer"
    codes = [
        *(f"{prefix}{k}" for k in range(8)),
        *(f"{prefix}_{mode}{k}" for mode in ("mean", "max") for k in range(32)),
    ]
    tabular = ["remainder__temperature", "remainder__age_years", "remainder__load"]
    assert names == codes + tabular, output
    assert number(r"Features out: (\d+) columns", output) == 75, output
    assert number(r"Code size: (\d+)", output) == 72, output
    assert number(r"Sequence length read from the lag block: (\d+)", output) == 24
    codes_accuracy = number(
        r"Test accuracy, LSTM codes \+ tabular columns: ([\d.]+)", output
    )
    raw_accuracy = number(r"Test accuracy, raw columns: ([\d.]+)", output)
    codes_errors = number(r"Test errors, LSTM codes \+ tabular columns: (\d+)", output)
    raw_errors = number(r"Test errors, raw columns: (\d+)", output)
    # Raw columns already do well; the codes leave fewer errors.
    assert raw_accuracy > 0.85, output
    assert codes_accuracy >= 0.97, output
    assert codes_accuracy > raw_accuracy, output
    assert codes_errors < raw_errors, output


@pytest.mark.slow
def test_anomaly_detection_example(capsys):
    output, _ = run_example("plot_anomaly_detection.py", capsys)
    assert number(r"of which anomalies: (\d+)", output) == 30, output
    assert number(r"\nROC AUC: ([\d.]+)", output) > 0.95, output
    # Reconstruction next to PCA's with as many values: at least as good (to
    # rounding; the start is PCA's solution).
    ours = number(r"Mean error on normal test sequences: ([\d.]+)", output)
    assert ours <= 1.05 * number(r"PCA\(8\) mean error on them: ([\d.]+)", output)
    assert number(r"Recall: ([\d.]+)", output) >= 0.8, output
    assert number(r"Precision: ([\d.]+)", output) >= 0.6, output
    # "False positives on new normal sequences come out near the 5% ..."
    pattern = r"False positive rate on normal test sequences: ([\d.]+)"
    assert number(pattern, output) <= 0.1, output
    # "The reversed sequences are caught ..."
    assert number(r"Detected reversed: (\d+) of 10", output) >= 9, output
    # "The anomalies it misses are small ones": below the middle of the range
    # their sizes are drawn from (spikes 1 to 3, level shifts 0.25 to 1).
    for name, middle in (("spike", 2.0), ("level shift", 0.625)):
        missed = re.search(rf"{name}: missed sizes \[([\d., ]+)\]", output)
        if missed is not None:
            sizes = [float(size) for size in missed.group(1).split(", ")]
            assert max(sizes) < middle, output


@pytest.mark.slow
def test_outlier_detector_example(capsys):
    output, n_figures = run_example("plot_anomaly_detector.py", capsys)
    # The anomaly guide shows the three (FIGURES_IN_GUIDES).
    assert n_figures == 3, output
    assert labelled("ROC AUC", output) > 0.95
    assert number(r"Flagged normal sequences: (\d+) of 100", output) <= 10
    for name in ("spike", "reversed"):
        assert number(rf"Flagged {name}: (\d+) of 10", output) >= 9, output
    # "the map of a spiked sequence lights up at the spike"
    injected = re.search(r"injected at (step \d+, sensor \d+)", output).group(1)
    assert f"Largest error at {injected}" in output, output
    # The long series: the anomaly is found where it was labelled.
    assert labelled("Point-level ROC AUC", output) >= 0.99
    assert labelled("Point-level PR AUC", output) >= 0.5
    assert 4187 - 63 <= labelled("Lowest score at point", output) <= 4198 + 63
    assert number(r"of them anomalous: (\d+)", output) >= 10, output
    # The training curves: both losses recorded for every epoch.
    assert labelled("Epochs trained", output) >= 2, output
    assert labelled("Lowest validation loss", output) > 0, output


@pytest.mark.slow
def test_variable_length_example(capsys):
    output, n_figures = run_example("plot_variable_length.py", capsys)
    assert n_figures >= 1, output

    shortest = labelled("Shortest sequence", output)
    longest = labelled("Longest sequence", output)
    assert 10 <= shortest < longest <= 30, output

    chance = labelled(r"Chance level \(largest class share\)", output)
    reversed_accuracy = labelled("Test accuracy, reversed reconstruction", output)
    forward_accuracy = labelled("Test accuracy, forward reconstruction", output)
    # "Both pipelines beat chance by far, and the reversed reconstruction gives
    # somewhat more useful codes here."
    assert forward_accuracy > chance + 0.4, output
    assert reversed_accuracy > forward_accuracy + 0.03, output
    assert reversed_accuracy > 0.9, output

    assert labelled(r"Padded training length \(n_timesteps_\)", output) == longest
    assert "Trained on variable-length data: True" in output, output
    assert labelled("Code size", output) == 8 + 2 * 32, output

    # The NaN-padded array gives the same codes as the list.
    assert labelled("Max abs difference, list vs NaN-padded codes", output) < 1e-5
    padded_accuracy = labelled("Test accuracy on NaN-padded input", output)
    assert padded_accuracy == reversed_accuracy, output


@pytest.mark.slow
def test_random_search_example(capsys):
    output, n_figures = run_example("plot_random_search.py", capsys)
    assert n_figures >= 1, output

    candidates = [
        float(score) for score in re.findall(r"cv accuracy " + NUMBER, output)
    ]
    assert len(candidates) == 3, output
    assert 16 <= labelled("Best units", output) <= 32, output
    assert 4 <= labelled("Best encoding_dim", output) <= 16, output
    assert 0.001 <= labelled("Best learning rate", output) <= 0.02, output

    best = labelled("Best cv accuracy", output)
    worst = labelled("Worst cv accuracy", output)
    test = labelled("Test accuracy of the best pipeline", output)
    assert best == max(candidates) and worst == min(candidates), output
    # "The candidates differ in cross-validated accuracy."
    assert best - worst >= 0.04, output
    # "The refit pipeline ... does better on the test sequences than its
    # cross-validated score suggests."
    assert test > best, output
    assert test > 0.6, output

    # "Both losses fall over training and end close to each other."
    assert labelled("Epochs trained", output) >= 10, output
    first_loss = labelled("First-epoch loss", output)
    last_loss = labelled("Last-epoch loss", output)
    first_val = labelled("First-epoch val_loss", output)
    last_val = labelled("Last-epoch val_loss", output)
    assert last_loss < first_loss, output
    assert last_val < first_val, output
    assert abs(last_val - last_loss) < 0.25 * last_loss, output


@pytest.mark.slow
def test_dask_search_example(capsys):
    pytest.importorskip("distributed")
    output, _ = run_example("plot_dask_search.py", capsys)

    assert labelled("Number of workers", output) == 2, output
    assert labelled("Fit-and-score tasks run", output) == 4, output
    # The fits ran on both worker processes.
    assert labelled("Workers that ran tasks", output) == 2, output

    candidates = [
        float(score) for score in re.findall(r"cv accuracy " + NUMBER, output)
    ]
    assert len(candidates) == 2, output
    best_params = re.search(r"Best params: \{.*encoding_dim': (\d+)\}", output)
    assert best_params and int(best_params.group(1)) in (8, 16), output
    assert labelled("Best cv accuracy", output) == max(candidates), output
    # Three balanced classes: chance is 1/3.
    assert labelled("Test accuracy", output) > 0.7, output

    assert labelled("Pickled best pipeline", output) > 0, output
    assert "Same predictions after unpickling: True" in output, output


def test_every_example_runs_in_ci():
    examples = {path.name for path in EXAMPLES.glob("*.py")}
    assert run_by_tests() | set(DOCS_ONLY) == examples
    assert not run_by_tests() & set(DOCS_ONLY)


def test_figures_in_guides_are_drawn_by_examples_the_docs_execute():
    shown = figures_in_guides()
    # The anomaly guide shows the outlier detector example's three figures.
    assert shown.get("plot_anomaly_detector.py") == 3
    for name, highest in shown.items():
        source = (EXAMPLES / name).read_text()  # the example exists
        assert source.count("plt.subplots(") >= highest, name
        assert name in docs_execute()


if __name__ == "__main__" and sys.argv[1:] == ["--docs-execute"]:
    # The sphinx-gallery filename_pattern of the examples the docs execute.
    print("|".join(f"/{re.escape(name)}" for name in docs_execute()))
