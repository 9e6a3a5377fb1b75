"""save/load without pickle: identical round trips, tampered and foreign
archives refused with clear errors."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile

import joblib
import keras
import numpy as np
import pandas as pd
import pytest

import sklearn_lstmae
from sklearn_lstmae import LSTMAutoencoderTransformer, LSTMSequencePredictor, load, save

from .conftest import TINY, TINY_PREDICTOR

TRANSFORMER_VARIANTS = {
    "reconstruct": {},
    "reversed": {"reverse_target": True},
    "predict": {"objective": "predict", "n_future": 2},
    "composite": {"objective": "composite", "n_future": 2, "future_weight": 0.5},
    "conditional": {"decoder": "conditional"},
    "linear path": {"linear_path": True, "reverse_target": True},
    "last state": {"encoding_dim": None},
    "temporal code": {"temporal_code": True, "encoding_dim": 2},
    "stacked bidirectional gru": {
        "units": (4, 3),
        "cell": "gru",
        "bidirectional": True,
        "dropout": 0.1,
    },
}


def round_trip(estimator, tmp_path):
    path = tmp_path / "model.lstmae"
    save(estimator, path)
    return load(path)


@pytest.mark.parametrize("variant", TRANSFORMER_VARIANTS)
def test_transformer_round_trip_is_identical(sequences, tmp_path, variant):
    X, _ = sequences
    params = {**TINY, "random_state": 0, **TRANSFORMER_VARIANTS[variant]}
    estimator = LSTMAutoencoderTransformer(**params).fit(X)
    loaded = round_trip(estimator, tmp_path)
    assert type(loaded) is LSTMAutoencoderTransformer
    assert loaded.get_params() == estimator.get_params()
    codes = estimator.transform(X)
    np.testing.assert_array_equal(loaded.transform(X), codes)
    np.testing.assert_array_equal(
        loaded.inverse_transform(codes), estimator.inverse_transform(codes)
    )
    np.testing.assert_array_equal(loaded.score_samples(X), estimator.score_samples(X))
    assert loaded.history_ == estimator.history_


def test_round_trip_keeps_dataframe_names_and_variable_length(ragged, tmp_path):
    frame = pd.DataFrame(
        np.random.RandomState(0).normal(size=(12, 6)), columns=list("abcdef")
    )
    estimator = LSTMAutoencoderTransformer(**TINY, random_state=0).fit(frame)
    loaded = round_trip(estimator, tmp_path)
    np.testing.assert_array_equal(loaded.feature_names_in_, estimator.feature_names_in_)
    np.testing.assert_array_equal(loaded.transform(frame), estimator.transform(frame))
    assert list(loaded.get_feature_names_out()) == list(
        estimator.get_feature_names_out()
    )
    with pytest.raises(ValueError, match="feature names"):
        loaded.transform(frame.rename(columns={"a": "z"}))
    estimator = LSTMAutoencoderTransformer(**TINY, random_state=0).fit(ragged)
    loaded = round_trip(estimator, tmp_path)
    np.testing.assert_array_equal(loaded.transform(ragged), estimator.transform(ragged))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"decoder": "conditional"},
        {"level": "last", "units": (4, 3)},
        {"validation_split": 0.3, "covariates": True},
    ],
    ids=["repeat", "conditional", "level_last_stacked", "intervals_covariates"],
)
def test_predictor_round_trip_is_identical(sequences, tmp_path, params):
    series = sequences[0][:, :, 0]  # univariate 2D: (n, 8)
    future = None
    if params.pop("covariates", False):
        future = np.random.RandomState(0).normal(size=(len(series), 2, 3))
    estimator = LSTMSequencePredictor(**{**TINY_PREDICTOR, "random_state": 0, **params})
    estimator.fit(series[:, :6], series[:, 6:], X_future=future)
    loaded = round_trip(estimator, tmp_path)
    assert loaded.level_ == estimator.level_
    predictions = loaded.predict(series[:, :6], X_future=future)
    np.testing.assert_array_equal(
        predictions, estimator.predict(series[:, :6], X_future=future)
    )
    assert predictions.shape == (len(series), 2)
    if params.get("validation_split"):
        for ours, theirs in zip(
            loaded.predict_interval(series[:, :6], 0.5, X_future=future),
            estimator.predict_interval(series[:, :6], 0.5, X_future=future),
            strict=True,
        ):
            np.testing.assert_array_equal(ours, theirs)


def test_round_trip_in_a_fresh_process(sequences, tmp_path):
    # Both ways to store a fitted estimator, read where nothing of this
    # process' Keras session exists: save/load and joblib (pickle).
    X, _ = sequences
    estimator = LSTMAutoencoderTransformer(**TINY, random_state=0).fit(X)
    save(estimator, tmp_path / "model.lstmae")
    joblib.dump(estimator, tmp_path / "model.joblib")
    np.save(tmp_path / "X.npy", X)
    script = textwrap.dedent(
        f"""
        import joblib
        import numpy as np
        from sklearn_lstmae import load
        X = np.load({str(tmp_path / "X.npy")!r})
        for how, estimator in [
            ("load", load({str(tmp_path / "model.lstmae")!r})),
            ("joblib", joblib.load({str(tmp_path / "model.joblib")!r})),
        ]:
            np.save({str(tmp_path)!r} + f"/codes_{{how}}.npy", estimator.transform(X))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    expected = estimator.transform(X)
    for how in ("load", "joblib"):
        np.testing.assert_array_equal(np.load(tmp_path / f"codes_{how}.npy"), expected)


def test_training_continues_after_loading(sequences, tmp_path):
    X, _ = sequences
    estimator = LSTMAutoencoderTransformer(**TINY, random_state=0).fit(X)
    loaded = round_trip(estimator, tmp_path)
    steps = int(loaded.model_.optimizer.iterations)
    assert steps == int(estimator.model_.optimizer.iterations) > 0
    loaded.partial_fit(X)
    assert int(loaded.model_.optimizer.iterations) > steps
    assert len(loaded.history_["loss"]) == len(estimator.history_["loss"]) + 1


def rewrite(path, *, metadata=None, model_path=None):
    """Replace the metadata and/or the model file inside an archive."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    if metadata is not None:
        stored = json.loads(files["estimator.json"])
        stored.update(metadata)
        files["estimator.json"] = json.dumps(stored)
    if model_path is not None:
        files["model.keras"] = model_path.read_bytes()
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


@pytest.fixture
def archive(sequences, tmp_path):
    X, _ = sequences
    estimator = LSTMAutoencoderTransformer(**TINY, random_state=0).fit(X)
    path = tmp_path / "model.lstmae"
    save(estimator, path)
    return estimator, path


def test_archives_are_stamped_with_the_released_version(archive):
    # The version an archive records is the package's, which is the newest
    # release in CHANGELOG.md: 0.3.0 (0.1 and 0.2 archives say theirs).
    _, path = archive
    with zipfile.ZipFile(path) as zipped:
        stored = json.loads(zipped.read("estimator.json"))
    changelog = (pathlib.Path(__file__).parents[1] / "CHANGELOG.md").read_text()
    newest = re.search(r"^## (\S+) \(\d{4}-\d{2}-\d{2}\)$", changelog, re.M)
    assert stored["package_version"] == sklearn_lstmae.__version__ == "0.3.0"
    assert newest.group(1) == sklearn_lstmae.__version__


def test_save_and_load_know_the_package_estimators_only(tmp_path):
    from sklearn_lstmae._base import ESTIMATORS

    class Mine(LSTMAutoencoderTransformer):
        pass

    public = {name for name in sklearn_lstmae.__all__ if name.startswith("LSTM")}
    assert set(ESTIMATORS) == public  # not the autoencoders' base, not Mine
    with pytest.raises(TypeError, match="stores the estimators of sklearn_lstmae"):
        save(Mine(), tmp_path / "mine.lstmae")


def test_model_with_lambda_layer_is_refused(archive, tmp_path):
    estimator, path = archive
    inputs = keras.Input(estimator.model_.input_shape[1:])
    evil = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    tampered = keras.Model(inputs, estimator.model_(evil))
    tampered.save(tmp_path / "evil.keras")
    rewrite(path, model_path=tmp_path / "evil.keras")
    with pytest.raises(ValueError, match="Python code .*refused"):
        load(path)


def test_model_that_differs_from_its_parameters_is_refused(
    archive, sequences, tmp_path
):
    X, _ = sequences
    _, path = archive
    other = LSTMAutoencoderTransformer(**{**TINY, "units": (5,)}).fit(X)
    other.model_.save(tmp_path / "other.keras")
    rewrite(path, model_path=tmp_path / "other.keras")
    with pytest.raises(ValueError, match="differs from the network"):
        load(path)


@pytest.mark.parametrize(
    "metadata, message",
    [
        ({"package_version": "99.0.0"}, "written by sklearn-lstmae 99.0.0, newer"),
        ({"format": 2}, "archive format 2; .* reads format 1"),
        ({"keras_version": "2.15.0"}, "saved with Keras 2.15.0"),
        ({"class": "os.system"}, "unknown estimator class 'os.system'"),
    ],
)
def test_incompatible_archives_say_why(archive, metadata, message):
    _, path = archive
    rewrite(path, metadata=metadata)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_files_that_are_not_archives_are_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match="not an archive written by"):
        load(path)


def test_save_refuses_what_it_cannot_store(sequences, tmp_path):
    X, _ = sequences
    with pytest.raises(ValueError, match="not fitted yet"):
        save(LSTMAutoencoderTransformer(), tmp_path / "a.lstmae")
    with pytest.raises(TypeError, match="stores the estimators of sklearn_lstmae"):
        save(object(), tmp_path / "a.lstmae")
    estimator = LSTMAutoencoderTransformer(
        **TINY, callbacks=[keras.callbacks.TerminateOnNaN()]
    ).fit(X)
    with pytest.raises(TypeError, match="parameter 'callbacks'.*pickle"):
        save(estimator, tmp_path / "a.lstmae")
    assert not os.path.exists(tmp_path / "a.lstmae")


def test_archives_from_before_pooling_load_with_their_behaviour(sequences, tmp_path):
    # 0.1 archives have no pooling/downsample parameters nor downsample_: they
    # hold the classic network (bottleneck alone, every step), rebuilt as such.
    X, _ = sequences
    path = tmp_path / "old.lstmae"
    ae = LSTMAutoencoderTransformer(
        **TINY, pooling=None, downsample=1, random_state=0
    ).fit(X)
    save(ae, path)
    with zipfile.ZipFile(path) as archive:
        stored = json.loads(archive.read("estimator.json"))
    for key in ("pooling", "downsample"):
        del stored["params"][key]
    del stored["fitted"]["downsample_"]
    rewrite(path, metadata={**stored, "package_version": "0.1.0"})
    loaded = load(path)
    assert loaded.pooling is None and loaded.downsample == loaded.downsample_ == 1
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))


# -- archives from someone else: refused quickly and cheaply (issue 14) ----------
def edit(path, change):
    """Apply ``change(metadata)`` to the archive's JSON in place."""
    with zipfile.ZipFile(path) as archive:
        stored = json.loads(archive.read("estimator.json"))
    change(stored)
    rewrite(path, metadata=stored)


def padded(path, member, n_bytes):
    """Append ``n_bytes`` of zeros to a member (deflated: a ~1 MB file per GB)."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if name != member:
                archive.writestr(name, content)
        with archive.open(member, "w", force_zip64=True) as file:
            file.write(files[member] + (b" " if member.endswith("json") else b""))
            zeros = (b" " if member.endswith("json") else b"\0") * 2**24
            for _ in range(n_bytes // len(zeros)):
                file.write(zeros)


def dtype_bomb(stored):
    stored["fitted"]["n_past_"] = {
        "ndarray": ["x"],
        "dtype": "S1500000000",
        "shape": [1],
    }


def nested(path):
    """5,000 nested lists in place of a parameter (as text: json cannot write it)."""
    with zipfile.ZipFile(path) as archive:
        text = archive.read("estimator.json").decode()
    text = text.replace('"verbose": 0', '"verbose": ' + "[" * 5000 + "]" * 5000)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("estimator.json", text)
        archive.writestr("model.keras", b"")


def empty_lists(path):
    """16 MiB of ``[],`` in estimator.json (~30 KB deflated): within the byte
    cap, but 5.6 million Python lists once parsed (H1: 13-26 s, +0.8 GB)."""
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    body = files["estimator.json"].decode().rstrip()
    count = (16 * 2**20 - len(body)) // 3
    files["estimator.json"] = body[:-1] + ', "x": [' + "[]," * count + "[]]}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def rewrite_inner(path, change):
    """Apply ``change(members)`` to the members of the archive's model.keras."""
    import io

    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(io.BytesIO(files["model.keras"])) as inner:
        members = {name: inner.read(name) for name in inner.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as inner:
        for name, content in members.items():
            inner.writestr(name, content)
    files["model.keras"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def fill_value_weight(members):
    """The first weight declared 1 GiB, chunked, storing nothing: it reads as
    its fill value (H2: +4.1 GB and 19 s before Keras noticed the shape)."""
    import io

    import h5py

    source = h5py.File(io.BytesIO(members["model.weights.h5"]), "r")
    buffer = io.BytesIO()
    target, first = h5py.File(buffer, "w"), [True]

    def copy(name, item):
        if isinstance(item, h5py.Dataset) and first[0]:
            first[0] = False
            target.create_dataset(
                name, shape=(2**28,), dtype="f4", chunks=(2**20,), fillvalue=1.0
            )
        elif isinstance(item, h5py.Dataset):
            target.create_dataset(name, data=item[()])
        else:
            target.require_group(name)
        target[name].attrs.update(item.attrs)

    source.visititems(copy)
    target.attrs.update(source.attrs)
    target.close()
    members["model.weights.h5"] = buffer.getvalue()


def wide_inner_lstm(members):
    """LSTM units=3000 in Keras' own config.json (H3: Keras built it, 22-39 s,
    before any check compared it with the parameters)."""

    def widen(node):
        if isinstance(node, dict):
            if node.get("class_name") == "LSTM":
                node["config"]["units"] = 3000
            for value in node.values():
                widen(value)
        elif isinstance(node, list):
            for value in node:
                widen(value)

    config = json.loads(members["config.json"])
    widen(config)
    members["config.json"] = json.dumps(config).encode()


def as_0_2(change):
    """An archive as 0.2 wrote it (no fitted_params_), then ``change``."""

    def edited(stored):
        stored["fitted"].pop("fitted_params_")
        change(stored)

    return edited


@pytest.mark.parametrize(
    "attack",
    [
        pytest.param(lambda path: padded(path, "estimator.json", 2**30), id="json-1GB"),
        pytest.param(lambda path: padded(path, "model.keras", 2**30), id="keras-1GB"),
        pytest.param(lambda path: edit(path, dtype_bomb), id="dtype-S1.5e9"),
        pytest.param(
            lambda path: edit(path, as_0_2(lambda s: s["params"].update(units=[6000]))),
            id="units-6000",
        ),
        pytest.param(
            lambda path: edit(
                path, as_0_2(lambda s: s["params"].update(encoding_dim=50_000_000))
            ),
            id="encoding_dim-5e7",
        ),
        pytest.param(
            lambda path: edit(
                path,
                lambda s: (
                    s["params"].update(units=[6000]),
                    s["fitted"]["fitted_params_"]["dict"].update(units=[6000]),
                ),
            ),
            id="fitted-units-6000",
        ),
        pytest.param(empty_lists, id="json-16MiB-of-empty-lists"),
        pytest.param(
            lambda path: rewrite_inner(path, fill_value_weight), id="h5-fill-value-1GB"
        ),
        pytest.param(
            lambda path: rewrite_inner(path, wide_inner_lstm), id="keras-config-units"
        ),
    ],
)
def test_bombs_are_refused_quickly_and_cheaply(archive, attack):
    # Bounds: issue 14's bar (5 s, 200 MB) for files under 1 MB; the attacks
    # cost tens of seconds and gigabytes when not refused, refusals take
    # milliseconds, so a loaded machine passes too. tracemalloc sees Python's
    # and NumPy's allocations (json objects, arrays read from HDF5); ru_maxrss
    # the process's peak, whatever allocated it.
    import resource
    import tracemalloc

    _, path = archive
    attack(path)
    assert path.stat().st_size < 5 * 2**20  # small files, all of them
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError):
            load(path)
        elapsed = time.perf_counter() - start
        traced = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert traced < 200 * 2**20
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) * 1024
    assert grown < 200 * 2**20


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["params"].update(evil=1), "parameters .* does not have"),
        (lambda s: s["fitted"].update(evil_=1), "unknown fitted attributes"),
        (lambda s: s["fitted"].update(n_timesteps_=11), "disagree"),
        (lambda s: s["fitted"]["scaler_"]["scaler"].update(mean_="abc"), "scaler_"),
        (lambda s: s["fitted"].pop("n_past_"), "missing fitted attributes"),
        (lambda s: s["params"].update(units=True), "invalid parameters"),
        (lambda s: s["params"].update(epochs=-1), "invalid parameters"),
        (lambda s: s["fitted"].update(history_={"tuple": 5}), "not an archive"),
        (lambda s: s["fitted"].update(history_={}), "empty stored value"),
        (lambda s: s.update(params=[1, 2]), "malformed"),
        (lambda s: s.update(evil=1), r"unknown entries \['evil'\]"),
        (
            lambda s: (
                s["fitted"]["fitted_params_"]["dict"].pop("scale"),
                s["fitted"].update(scaler_=None),
            ),
            r"fitted_params_ lacks the parameters \['scale'\]",
        ),
    ],
)
def test_malformed_archives_are_one_clear_value_error(archive, change, message):
    _, path = archive
    edit(path, change)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_detector_reference_of_another_width_is_refused(sequences, tmp_path):
    # The reference codes must be as wide as the encoder's codes: 3 columns
    # for an encoder of more loaded, then scoring failed with a broadcast error.
    from sklearn_lstmae import LSTMAutoencoderOutlierDetector

    X, _ = sequences
    path = tmp_path / "detector.lstmae"
    save(LSTMAutoencoderOutlierDetector(**TINY, random_state=0).fit(X), path)

    def narrower(stored):
        fitted = stored["fitted"]
        rows = fitted["reference_codes_"]["shape"][0]
        fitted["reference_codes_"] = {
            "ndarray": [0.0] * (rows * 3),
            "dtype": "<f4",
            "shape": [rows, 3],
        }
        fitted["code_mean_"] = {"ndarray": [0.0] * 3, "dtype": "<f8", "shape": [3]}
        fitted["code_scale_"] = {"ndarray": [1.0] * 3, "dtype": "<f8", "shape": [3]}

    edit(path, narrower)
    with pytest.raises(ValueError, match="reference codes whose width differs"):
        load(path)


def test_save_writes_one_snapshot_while_a_refit_publishes(
    archive, sequences, tmp_path, monkeypatch
):
    # A refit publishing while save() runs (forced here: inside save, after it
    # read the attributes, before it writes the model) must not give an archive
    # mixing the old scaler and attributes with the new model.
    import sklearn_lstmae._persistence as persistence

    X, _ = sequences
    estimator, _ = archive
    before = estimator.transform(X)
    encode, refitted = persistence._encode, []

    def encode_then_refit(value, what):
        if not refitted:
            refitted.append(True)
            estimator.fit(np.random.RandomState(7).normal(3, 5, size=X.shape))
        return encode(value, what)

    monkeypatch.setattr(persistence, "_encode", encode_then_refit)
    save(estimator, tmp_path / "during_refit.lstmae")
    monkeypatch.undo()
    assert refitted
    codes = load(tmp_path / "during_refit.lstmae").transform(X)
    np.testing.assert_array_equal(codes, before)


def test_deeply_nested_json_is_refused(archive):
    _, path = archive
    nested(path)
    with pytest.raises(ValueError, match="nested"):
        load(path)


def test_damaged_zip_members_are_a_value_error(archive):
    _, path = archive
    data = bytearray(path.read_bytes())
    start = data.index(b"model.keras") + 40  # inside the deflated member
    data[start : start + 64] = bytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="archive"):
        load(path)


def test_parameters_set_after_fit_are_saved_but_not_used(archive, sequences, tmp_path):
    X, _ = sequences
    estimator, _ = archive
    estimator.set_params(units=(9,), scale=False)
    path = tmp_path / "after_set_params.lstmae"
    save(estimator, path)
    loaded = load(path)
    assert loaded.get_params()["units"] == (9,)
    np.testing.assert_array_equal(loaded.transform(X), estimator.transform(X))


#: Archives written by released versions, with the outputs that version gave
#: (written with `python tests/snapshot/behaviour.py archives DIR CHECKOUT`,
#: CHECKOUT a worktree of 0.1 at 54c6126 or of 0.2 at 5dbe416; 0.3's, the
#: detector's configurations only, with `archives DIR` from this checkout).
ARCHIVES = pathlib.Path(__file__).parent / "data" / "archives"


@pytest.mark.parametrize("version", ["0.1", "0.2"])
def test_archives_of_earlier_versions_load_and_give_their_outputs(version):
    from .snapshot.behaviour import configurations, outputs

    expected = dict(np.load(ARCHIVES / version / "expected.npz"))
    data = {name: (X, y) for name, _, X, y, _ in configurations()}
    paths = sorted((ARCHIVES / version).glob("*.lstmae"))
    assert len(paths) >= 7
    checked = 0
    for path in paths:
        loaded = load(path)
        for key, value in outputs(path.stem, loaded, *data[path.stem]).items():
            if value.dtype.kind == "f":
                # Bit-identical on the machine that wrote them; other CPUs may
                # round differently in float32.
                np.testing.assert_allclose(value, expected[key], rtol=1e-4, atol=1e-5)
            else:
                np.testing.assert_array_equal(value, expected[key])
            checked += 1
    assert checked == len(expected)


def test_a_downsampled_0_2_archive_keeps_its_patch_means(tmp_path):
    """0.2 shortened sequences by averaging windows of ``downsample_`` steps;
    0.3 cuts them into patches. A 0.2 archive with ``downsample_ > 1`` (written
    by 0.2 at 5dbe416: units=(4,), encoding_dim=3, downsample=2, epochs=2 on
    ``X``) loads with its own network, gives its outputs, saves and loads
    again, and goes on training with ``warm_start=True``; a new fit is 0.3's."""
    folder = ARCHIVES / "0.2" / "patch_means"
    expected = dict(np.load(folder / "expected.npz"))
    X = expected.pop("X")
    loaded = load(folder / "transformer.lstmae")
    assert (loaded.downsample_, loaded.downsampling_) == (2, "patch_means")
    for method, value in expected.items():
        got = getattr(loaded, method)(
            loaded.transform(X) if method == "inverse_transform" else X
        )
        np.testing.assert_allclose(got, value, rtol=1e-4, atol=1e-5)
    save(loaded, tmp_path / "again.lstmae")
    again = load(tmp_path / "again.lstmae")
    assert again.downsampling_ == "patch_means"
    np.testing.assert_array_equal(again.transform(X), loaded.transform(X))
    before = again.transform(X)
    again.set_params(warm_start=True, epochs=1).fit(X)
    assert again.downsampling_ == "patch_means"
    assert not np.allclose(again.transform(X), before)
    fresh = load(folder / "transformer.lstmae").set_params(epochs=1).fit(X)
    assert fresh.downsampling_ == "patches"
    assert "patches" in [layer.name for layer in fresh.encoder_.layers]


def test_detector_archives_give_their_outputs():
    """The behaviour snapshot's detectors (both anomaly scores), saved by
    0.3.0: loaded, they give the scores, threshold, labels and per time stamp
    series scores they gave."""
    from .snapshot.behaviour import detector_configurations, detector_outputs

    expected = dict(np.load(ARCHIVES / "0.3" / "expected.npz"))
    checked = 0
    for name, _, X, _, _ in detector_configurations():
        loaded = load(ARCHIVES / "0.3" / f"{name}.lstmae")
        got = detector_outputs(name, loaded, X)
        for key, value in got.items():
            if value.dtype.kind == "f":
                # Bit-identical on the machine that wrote them; other CPUs may
                # round differently in float32.
                np.testing.assert_allclose(value, expected[key], rtol=1e-4, atol=1e-5)
            checked += 1
        # Labels: exact wherever the score is farther from the threshold than
        # that tolerance (the threshold is stored, so rounding cannot move
        # it); nearer, they follow the recomputed decision's sign.
        labels, decision = got[f"{name}/predict"], got[f"{name}/decision_function"]
        np.testing.assert_array_equal(labels, np.where(decision < 0, -1, 1))
        far = np.abs(expected[f"{name}/decision_function"]) > 1e-5 + 1e-4 * np.abs(
            expected[f"{name}/score_samples"]
        )
        assert far.sum() >= len(far) - 1
        np.testing.assert_array_equal(labels[far], expected[f"{name}/predict"][far])
    assert checked == len(expected) == 12


def test_predictor_archives_with_the_old_covariate_names_load(tmp_path):
    """A predictor fitted with ``X_future`` and saved by 0.3 before the
    covariate attributes were renamed (``n_future_features_`` and
    ``future_scaler_``, its network's input ``future_covariates``; written
    from 695704d): it loads under today's names and gives its outputs. An
    archive holding both names of one attribute is refused."""
    stored = np.load(ARCHIVES / "0.3" / "p_covariates.npz")
    X, X_future = stored["X"], stored["X_future"]
    loaded = load(ARCHIVES / "0.3" / "p_covariates.lstmae")
    assert loaded.n_covariates_ == 2 and loaded.covariate_scaler_ is not None
    assert not hasattr(loaded, "n_future_features_")
    # Bit-identical on the machine that wrote it; other CPUs may round
    # differently in float32.
    tolerance = {"rtol": 1e-4, "atol": 1e-5}
    got = loaded.predict(X, X_future=X_future)
    np.testing.assert_allclose(got, stored["predict"], **tolerance)
    lower, upper = loaded.predict_interval(X, 0.8, X_future=X_future)
    np.testing.assert_allclose(lower, stored["lower"], **tolerance)
    np.testing.assert_allclose(upper, stored["upper"], **tolerance)
    with pytest.raises(ValueError, match="fitted with X_future"):
        loaded.predict(X)
    path = tmp_path / "both.lstmae"
    shutil.copy(ARCHIVES / "0.3" / "p_covariates.lstmae", path)
    edit(path, lambda s: s["fitted"].update(n_covariates_=2))
    with pytest.raises(ValueError, match="n_future_features_ and n_covariates_"):
        load(path)


def test_the_snapshots_forecasts_survive_a_round_trip(tmp_path):
    """The behaviour snapshot's forecasting outputs (intervals, recursive
    forecasts with sampled paths) from a loaded archive are those of the
    fitted predictor: the held-out residuals behind them are stored."""
    from .snapshot.behaviour import configurations, forecasting_outputs

    name, estimator, X, y, extra = next(
        config for config in configurations() if "series" in config[4]
    )
    estimator.set_params(epochs=1).fit(X, y)
    fitted = forecasting_outputs(name, estimator, extra["series"], backtests=False)
    loaded = round_trip(estimator, tmp_path)
    again = forecasting_outputs(name, loaded, extra["series"], backtests=False)
    assert fitted.keys() == again.keys()
    for key, value in fitted.items():
        np.testing.assert_array_equal(again[key], value, err_msg=key)
