"""Numbers the README and the user guide quote from benchmarks/RESULTS.md say
what RESULTS.md says (rounded half up to the digits quoted).

Each claim is a phrase of a document with ``{}`` where its numbers stand, and
where each number comes from: a cell of a table in a section of RESULTS.md
(``<!-- begin NAME -->``), or a pattern in that section's text. A new number
quoted from RESULTS.md gets a claim here; a regenerated RESULTS.md that moves
a quoted number fails here until the prose follows it.
"""

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RESULTS = (ROOT / "benchmarks" / "RESULTS.md").read_text()
NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def section(name: str) -> str:
    match = re.search(
        rf"<!-- begin {re.escape(name)} -->\n(.*?)<!-- end {re.escape(name)} -->",
        RESULTS,
        re.S,
    )
    assert match, f"RESULTS.md has no section {name!r}"
    return match.group(1)


def tables(text: str) -> list[tuple[str, list[dict]]]:
    """The Markdown tables of ``text``: (the line before the table, rows)."""
    found, lines = [], text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("|") and not lines[index - 1].startswith("|"):
            header = [cell.strip() for cell in line.strip("|").split("|")]
            rows = []
            for row in lines[index + 2 :]:
                if not row.startswith("|"):
                    break
                cells = [cell.strip() for cell in row.strip("|").split("|")]
                # (a header may hold a "|" of its own: "width / mean |actual|")
                rows.append(dict(zip(header, cells, strict=False)))
            caption = next((text for text in reversed(lines[:index]) if text), "")
            found.append((caption, rows))
    return found


def cell(name: str, column: str, caption: str = "", **row) -> str:
    """The one cell of ``column`` in the row whose cells are ``row`` (column
    names with spaces as underscores), in the tables of section ``name`` (those
    after a line starting with ``caption``)."""
    wanted = {key.replace("_", " "): value for key, value in row.items()}
    matches = [
        cells[column]
        for before, rows in tables(section(name))
        if before.startswith(caption)
        for cells in rows
        if column in cells and all(cells.get(k) == v for k, v in wanted.items())
    ]
    assert len(matches) == 1, (name, column, row, matches)
    return matches[0]


def cell_range(name: str, column: str, **row) -> tuple[str, str]:
    """The smallest and the largest cell of ``column`` in the rows whose cells
    are ``row``, in the tables of section ``name``."""
    values = [
        cells[column]
        for _, rows in tables(section(name))
        for cells in rows
        if column in cells and all(cells.get(k) == v for k, v in row.items())
    ]
    assert values, (name, column, row)
    return min(values, key=number), max(values, key=number)


def text(name: str, pattern: str) -> str:
    """The first group of ``pattern`` in section ``name``."""
    match = re.search(pattern, section(name))
    assert match, (name, pattern)
    return match.group(1)


def number(value: str, index: int = 0) -> Decimal:
    """The ``index``-th number written in ``value``."""
    return Decimal(NUMBER.findall(value)[index])


def quoted(value: str, digits: int, index: int = 0) -> str:
    """The ``index``-th number of ``value``, rounded half up to ``digits``."""
    exact = number(value, index)
    return str(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


SMALL_TF = {"dataset": "GunPoint", "contender": "ours, defaults (tensorflow)"}
SMALL_JAX = {"dataset": "GunPoint", "contender": "ours, defaults (jax)"}
BASIC_TF = {"dataset": "BasicMotions", "contender": "ours, defaults (tensorflow)"}
AUTO = 'ours, same network, default ("auto")'
TORCH = r"W{} same network: ours / native PyTorch: `ours, same network, default \(\"auto\"\)` / `native PyTorch` = ([\d.]+)x"  # noqa: E501


def first_fits():
    gun = cell("small-fits", "first fit (a)", **SMALL_TF)
    basic = cell("small-fits", "first fit (a)", **BASIC_TF)
    return quoted(gun, 1), quoted(basic, 1)


def next_fits():
    gun = cell("small-fits", "second fit (b)", **SMALL_TF)
    basic = cell("small-fits", "second fit (b)", **BASIC_TF)
    return quoted(gun, 1), quoted(basic, 1)


def jax_fits():
    first = cell("small-fits", "first fit (a)", **SMALL_JAX)
    second = cell("small-fits", "second fit (b)", **SMALL_JAX)
    return quoted(first, 1), quoted(second, 1)


def keras_ratios():
    return tuple(
        quoted(cell("fit-tensorflow", "steady ratio", workload=w, contender=AUTO), 1)
        for w in ("W1", "W2")
    )


def torch_ratios(digits):
    return tuple(quoted(text("fit-tensorflow", TORCH.format(w)), digits) for w in "12")


def mase(column, contender):
    return cell("forecast", column, caption="MASE", contender=contender)


def quality(contender):
    return quoted(cell("quality", "mean accuracy", contender=contender), 3)


def kdd(contender, column):
    return quoted(cell("anomaly", column, contender=contender), 3)


NEIGHBORS_MEAN = "ours, neighbors, aggregate='mean', seed 0"
SIZES = ("n=30", "n=100", "n=300", "n=1000", "n=3000")
DATASETS = ("GunPoint", "BasicMotions", "ArrowHead", "OSULeaf", "ACSF1")


def accuracies(contender, timed=()):
    """A row of the codes' accuracy table: per dataset the accuracy, with the
    fit time in seconds where the dataset is in ``timed``."""
    values = []
    for dataset in DATASETS:
        values.append(
            quoted(cell("quality", "accuracy", dataset=dataset, contender=contender), 3)
        )
        if dataset in timed:
            values.append(
                quoted(
                    cell("quality", "fit time", dataset=dataset, contender=contender), 0
                )
            )
    return tuple(values)


def learning_curve(contender):
    return tuple(
        quoted(cell("learning", size, caption="Learning curve", contender=contender), 3)
        for size in SIZES
    )


def learning_ratio(n, contender, column):
    return quoted(cell("learning", column, n=n, ours=contender), 2)


#: (document, phrase with {} for each number, the numbers as RESULTS.md gives
#: them, rounded to the digits the phrase quotes).
CLAIMS = [
    (
        "README.md",
        "The defaults fit GunPoint in {} s and BasicMotions in {} s on 2 cores",
        first_fits,
    ),
    ("README.md", "tracing included; {} s and {} s for the next fits", next_fits),
    ("README.md", "ours trains {}-{}x as fast as the same network", keras_ratios),
    (
        "README.md",
        "written in Keras, and {}-{}x as fast as native PyTorch",
        lambda: tuple(sorted(torch_ratios(1))),
    ),
    ("README.md", "(GunPoint: first fit {} s, next fits {} s)", jax_fits),
    (
        "README.md",
        "reached {} mean test accuracy, against {} for PCA(16) + LR and {} for "
        "MiniRocket",
        lambda: tuple(
            map(quality, ["ours, defaults", "PCA(16) + LR", "MiniRocket + RidgeCV"])
        ),
    ),
    (
        "docs/user_guide/performance.rst",
        "``LogisticRegression`` after it: {} s on GunPoint (test accuracy {}) and "
        "{} s on BasicMotions ({});",
        lambda: (
            first_fits()[0],
            quoted(cell("small-fits", "test accuracy (a)", **SMALL_TF), 3),
            first_fits()[1],
            quoted(cell("small-fits", "test accuracy (a)", **BASIC_TF), 3),
        ),
    ),
    (
        "docs/user_guide/performance.rst",
        "which reuse the traced steps, {} s and {} s;",
        next_fits,
    ),
    (
        "docs/user_guide/performance.rst",
        "fits (4 candidates, cv=2) {}x (GunPoint) and {}x (BasicMotions) one",
        lambda: tuple(
            quoted(cell("small-fits", "total / first fit (a)", dataset=name), 1)
            for name in ("GunPoint", "BasicMotions")
        ),
    ),
    (
        "docs/user_guide/performance.rst",
        "ours trained {}x and {}x the steady throughput",
        keras_ratios,
    ),
    (
        "docs/user_guide/performance.rst",
        "ours reached {}x (30 steps) and {}x (200 steps)",
        lambda: torch_ratios(2),
    ),
    (
        "docs/user_guide/performance.rst",
        "runs one LSTM layer alone up to {}x faster",
        lambda: (
            quoted(
                cell(
                    "long-sequences",
                    "vs Keras batch 64",
                    step="fused BlockLSTMV2, batch 64",
                ),
                1,
            ),
        ),
    ),
    (
        "docs/user_guide/performance.rst",
        "stayed flat (+{} MiB) where hand-written Keras grew by {} MiB, and fits "
        "after the first ones were {}x faster",
        lambda: (
            quoted(
                cell(
                    "memory", "k=30 minus k=3", contender="LSTMAutoencoderTransformer"
                ),
                0,
            ),
            quoted(cell("memory", "k=30 minus k=3", contender="Keras by hand"), 0),
            quoted(text("memory", r"hand-written Keras / ours: ([\d.]+)x"), 1),
        ),
    ),
    (
        "docs/user_guide/performance.rst",
        "its first fit took {} s and the next ones {} s (TensorFlow: {} s and {} s)",
        lambda: (*jax_fits(), first_fits()[0], next_fits()[0]),
    ),
    (
        "docs/user_guide/performance.rst",
        "JAX trained {}x PyTorch's throughput on 30 steps and {}x on 200",
        lambda: tuple(quoted(text("fit-jax", TORCH.format(w)), 2) for w in "12"),
    ),
    (
        "docs/user_guide/performance.rst",
        "one sequence: {}x faster than ``Model.predict`` ({} ms against {} ms",
        lambda: (
            quoted(
                cell("inference", "speed-up", method="transform", input="1 sequence"), 1
            ),
            quoted(
                cell("inference", "ours", method="transform", input="1 sequence"), 1
            ),
            quoted(
                cell(
                    "inference", "Model.predict", method="transform", input="1 sequence"
                ),
                0,
            ),
        ),
    ),
    (
        "docs/user_guide/forecasting.rst",
        "confirm it ({}, the best explicit level);",
        lambda: (quoted(mase("M1", "ours, defaults"), 3),),
    ),
    (
        "docs/user_guide/forecasting.rst",
        'sales ``"log_last"`` at every cut-off, {}, the best explicit level ({}x);',
        lambda: (
            quoted(mase("Shampoo", "ours, defaults"), 3),
            quoted(cell("forecast", "defaults / best", dataset="Shampoo"), 2),
        ),
    ),
    (
        "docs/user_guide/forecasting.rst",
        '``"log_last"`` at every cut-off, {} against ``"last"``\'s {} ({}x;',
        lambda: (
            *(
                quoted(mase("Lynx", contender), 3)
                for contender in ("ours, defaults", "ours, level='last'")
            ),
            quoted(cell("forecast", "defaults / best", dataset="Lynx"), 2),
        ),
    ),
    (
        "docs/user_guide/forecasting.rst",
        "macroeconomic series ({} against {})",
        lambda: tuple(
            quoted(mase("Macro", contender), 2)
            for contender in ("ETS (statsmodels)", "ours, defaults")
        ),
    ),
    (
        "docs/user_guide/forecasting.rst",
        "Against the seasonal naive forecast (one seed): {}x, {}x and {}x.",
        lambda: tuple(
            quoted(mase(column, "ours, defaults"), 2, index=1)
            for column in ("Shampoo", "Lynx", "M1")
        ),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "cores, {} to {} s per fit):",
        lambda: tuple(quoted(value, 1) for value in cell_range("anomaly", "fit")),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "mean {} {} {} {} {} ====",
        lambda: tuple(
            quoted(cell("anomaly", column, dataset="mean"), 3)
            for column in (
                "ours, neighbors",
                "ours, reconstruction",
                "PCA(16) error",
                "IsolationForest, raw",
                "IsolationForest, our codes",
            )
        ),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "ahead of all of them on every dataset ({} on average)",
        lambda: (quoted(cell("anomaly", "aeon ROCKAD", dataset="mean"), 3),),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "a precision of {} to {} and a recall of {} to {}",
        lambda: tuple(
            quoted(value, 2)
            for column in ("precision", "recall")
            for value in cell_range("anomaly", column, score="neighbors")
        ),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "a point-level ROC AUC of {} and a PR AUC of {} (code distances; {} with "
        "the reconstruction error",
        lambda: (
            kdd(NEIGHBORS_MEAN, "ROC AUC"),
            kdd(NEIGHBORS_MEAN, "PR AUC"),
            kdd("ours, reconstruction, aggregate='mean', seed 0", "PR AUC"),
        ),
    ),
    (
        "docs/user_guide/anomaly_detection.rst",
        "against {} and {} for aeon's DWT_MLEAD, {} and {} for its KMeansAD, and "
        "{} and {} for a windowed IsolationForest; the maximum over covering "
        "windows gives {} and {}",
        lambda: tuple(
            kdd(contender, column)
            for contender in (
                "aeon DWT_MLEAD",
                "aeon KMeansAD (fitted on the training part)",
                "IsolationForest on windows, mean over windows",
                "ours, neighbors, aggregate='max', seed 0",
            )
            for column in ("ROC AUC", "PR AUC")
        ),
    ),
    (
        "docs/user_guide/architectures.rst",
        "PCA(4) {} {} {} {} {}",
        lambda: learning_curve("PCA(k)"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "dense autoencoder (MLP, tuned grid) {} {} {} {} {}",
        lambda: learning_curve("dense AE (MLP, grid)"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "ours, defaults {} {} {} {} {}",
        lambda: learning_curve("ours, defaults"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "ours, ``linear_path=False`` {} {} {} {} {}",
        lambda: learning_curve("ours, recurrent only"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "far below PCA ({} times its error at 1000, {} at 3000), below the dense "
        "autoencoder ({} times its error at 3000)",
        lambda: (
            learning_ratio("1000", "ours, defaults", "/ PCA"),
            learning_ratio("3000", "ours, defaults", "/ PCA"),
            learning_ratio("3000", "ours, defaults", "/ best of MLP, textbook"),
        ),
    ),
    (
        "docs/user_guide/architectures.rst",
        "autoencoder with 128 units ({} at 1000,",
        lambda: (
            quoted(
                cell(
                    "learning",
                    "n=1000",
                    caption="Learning curve",
                    contender="textbook LSTM AE (u=128)",
                ),
                3,
            ),
        ),
    ),
    (
        "docs/user_guide/architectures.rst",
        "The price is time: {} s per fit at 3000 sequences against the dense "
        "autoencoder's {} s for its whole grid",
        lambda: tuple(
            quoted(
                cell("learning", "n=3000", caption="Fit time", contender=contender),
                0,
            )
            for contender in ("ours, defaults", "dense AE (MLP, grid)")
        ),
    ),
    (
        "docs/user_guide/architectures.rst",
        "ours reached {} times PCA's error and the dense autoencoder {};",
        lambda: tuple(
            quoted(cell("learning", "/ PCA", data="Daphnet-S06R02E0", contender=c), 2)
            for c in ("ours, defaults", "dense AE (MLP, grid)")
        ),
    ),
    (
        "docs/user_guide/architectures.rst",
        "raw series + LR {} {} {} {} {}",
        lambda: accuracies("raw series + LR"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "PCA(16) + LR {} {} {} {} {}",
        lambda: accuracies("PCA(16) + LR"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "MiniRocket + RidgeClassifierCV {} {} {} {} {}",
        lambda: accuracies("MiniRocket + RidgeCV"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "defaults {} ({} s) {} ({} s) {} {} {}",
        lambda: accuracies("ours, defaults", timed=DATASETS[:2]),
    ),
    (
        "docs/user_guide/architectures.rst",
        "0.2 defaults (recurrent only) {} ({} s) {} ({} s) {} {} {}",
        lambda: accuracies("ours, 0.2 defaults (recurrent only)", timed=DATASETS[:2]),
    ),
    (
        "docs/user_guide/architectures.rst",
        "defaults, untrained (``epochs=0``) {} {} {} {} {}",
        lambda: accuracies("ours, untrained (PCA start, epochs=0)"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "random weights, untrained {} {} {} {} {}",
        lambda: accuracies("ours, untrained (random weights)"),
    ),
    (
        "docs/user_guide/architectures.rst",
        "Mean over the five: defaults {}, 0.2 defaults {}, PCA(16) + LR {}, "
        "MiniRocket {}.",
        lambda: tuple(
            map(
                quality,
                [
                    "ours, defaults",
                    "ours, 0.2 defaults (recurrent only)",
                    "PCA(16) + LR",
                    "MiniRocket + RidgeCV",
                ],
            )
        ),
    ),
]


def prose(document: str) -> str:
    """The document with its line breaks and indentation as single spaces."""
    return " ".join((ROOT / document).read_text().split())


@pytest.mark.parametrize(
    "document, phrase, numbers",
    CLAIMS,
    ids=[f"{document}: {phrase[:40]}" for document, phrase, _ in CLAIMS],
)
def test_quoted_numbers_are_the_benchmark_results(document, phrase, numbers):
    assert phrase.format(*numbers()) in prose(document)
