"""LSTMSequencePredictor: sequences -> sequences (seq2seq regression, forecasting)."""

import warnings

import keras
import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions

from ._base import SequenceEstimator
from ._data import (
    SequenceScaler,
    from_targets,
    last_steps,
    remove_level,
    restore_level,
    shift_right,
    to_targets,
)
from ._inference import inference_twin
from ._networks import (
    build_conditional_decoder,
    build_repeat_decoder,
    conditional_inference,
    connect,
)


class LSTMSequencePredictor(RegressorMixin, SequenceEstimator):
    """Predict output sequences from input sequences with an LSTM encoder-decoder.

    ``fit(X, y)`` trains an encoder-decoder network; ``predict(X)`` returns
    sequences in ``y``'s layout and units. Typical uses are multi-step
    forecasting (windows from :func:`sklearn_lstmae.windows.make_windows`) and
    sequence-to-sequence regression.

    ``X`` takes every form :class:`LSTMAutoencoderTransformer` accepts (3D,
    2D univariate or flat with ``n_features``, DataFrames, variable length).
    ``y`` is ``(n_samples, n_output_steps, n_output_features)``,
    ``(n_samples, n_output_steps)`` or ``(n_samples,)``; the output length and
    width come from ``y``.

    Read more in the :doc:`User Guide </user_guide/architectures>`.

    Parameters
    ----------
    decoder : {"repeat", "conditional"}, default="repeat"
        ``"repeat"``: the encoder's final state is repeated at every output step
        (RepeatVector) and decoded by recurrent layers and a per-step Dense head,
        the classic Keras encoder-decoder. ``"conditional"``: the encoder's
        final states seed a decoder that receives the previous target step as
        input, the true one in training (teacher forcing) and its own
        prediction at inference, step by step (Sutskever et al. 2014).

        .. deprecated:: 0.3
           ``"teacher_forcing"``, this decoder's name before 0.3, still works
           with a ``FutureWarning`` and will be removed in 0.5.
    level : {None, "last", "log_last"}, default=None
        Per-window level removal for series with a trend or changing level,
        applied before scaling and undone on predictions. ``"last"`` subtracts
        each window's last input value from its inputs and targets;
        ``"log_last"`` does it on the log scale (predicting relative change),
        for positive series whose seasonal swings grow with the level. Both need
        ``y`` to be the continuation of ``X`` (same features). None leaves values
        as they are: right for regression targets that are a different quantity.
        ``examples/plot_forecasting.py`` compares them on a trending series.
    %(shared_parameters)s

    Attributes
    ----------
    target_scaler_ : SequenceScaler or None
        Per-feature scaling of ``y``.
    n_output_steps_, n_output_features_ : int
        Shape of one target sequence.
    target_layout_ : {"1d", "2d", "3d"}
        Layout of ``y`` in ``fit``, which ``predict`` returns.
    %(shared_attributes)s

    Notes
    -----
    For ``decoder="conditional"``, ``model_`` is the teacher-forced network,
    with inputs ``[sequences, previous_targets]``; ``predict`` runs its inference
    twin, which feeds each prediction back.

    References
    ----------
    .. [1] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning
       with Neural Networks", NeurIPS 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_lstmae import LSTMSequencePredictor
    >>> from sklearn_lstmae.windows import make_windows, last_window
    >>> series = np.sin(np.arange(200) / 4)
    >>> X, y = make_windows(series, input_length=12, output_length=3)
    >>> X.shape, y.shape
    ((186, 12), (186, 3))
    >>> model = LSTMSequencePredictor(units=8, epochs=2, random_state=0).fit(X, y)
    >>> model.predict(X[:5]).shape
    (5, 3)
    >>> model.predict(last_window(series, 12)).shape  # the next 3 steps
    (1, 3)
    """

    _parameter_constraints: dict = {
        **SequenceEstimator._parameter_constraints,
        "decoder": [
            StrOptions(
                {"repeat", "conditional", "teacher_forcing"},
                deprecated={"teacher_forcing"},
            ),
        ],
        "level": [StrOptions({"last", "log_last"}), None],
    }

    def __init__(
        self,
        decoder: str = "repeat",
        *,
        level: str | None = None,
        units=(64,),
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        n_features: int | None = None,
        scale: bool = True,
        epochs: int = 100,
        batch_size: int = 32,
        optimizer="adam",
        optimizer__learning_rate: float = 0.005,
        loss="mse",
        metrics=None,
        validation_split: float = 0.0,
        validation_batch_size: int | None = None,
        early_stopping: int | None = None,
        shuffle: bool = True,
        callbacks=None,
        random_state=None,
        verbose: int = 0,
        warm_start: bool = False,
        run_eagerly: bool = False,
        jit_compile="auto",
        **kwargs,
    ):
        self._set_init_params(locals())

    def _conditional(self) -> bool:
        """Whether the decoder is fed its previous output (``"conditional"``,
        or its name before 0.3)."""
        return self.decoder in ("conditional", "teacher_forcing")

    def _resolve(self, batch, y) -> None:
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None: pass the target sequences (e.g. from make_windows)."
            )
        if self.decoder == "teacher_forcing":
            warnings.warn(
                "decoder='teacher_forcing' was renamed decoder='conditional' in "
                "0.3 (the name both estimators use); the old name will be removed "
                "in 0.5.",
                FutureWarning,
                stacklevel=5,
            )

    @staticmethod
    def _fitted_checks(fitted: dict, params: dict) -> dict:
        """``load``'s checks of the fitted attributes set here (name -> test)."""
        from ._persistence import MAX_WIDTH, is_int, scaler_ok

        return {
            "target_layout_": lambda v: v in ("1d", "2d", "3d"),
            "n_output_steps_": lambda v: is_int(v),
            "n_output_features_": lambda v: is_int(v, high=MAX_WIDTH),
            "target_scaler_": lambda v: scaler_ok(
                v, fitted.get("n_output_features_"), params.get("scale")
            ),
        }

    # -- network ------------------------------------------------------------
    def _keras_build_fn(self, compile_kwargs):
        units = self._units()
        conditional = self._conditional()
        encoder = self._build_encoder(encoding_dim=None, return_states=conditional)
        output_shape = (self.n_output_steps_, self.n_output_features_)
        if conditional:
            # Decoder layer i starts from encoder layer i's final states.
            widths = tuple(int(state.shape[-1]) for state in encoder.outputs)
            per_layer = len(widths) // len(units)
            decoder = build_conditional_decoder(
                *output_shape,
                units=widths[::per_layer],
                cell=self.cell,
                dropout=self.dropout,
                state_widths=widths,
            )
        else:
            decoder = build_repeat_decoder(
                encoder.output_shape[-1],
                *output_shape,
                units=units,
                cell=self.cell,
                dropout=self.dropout,
            )
        model = connect(encoder, [decoder], name="seq2seq")
        model.compile(**compile_kwargs)
        return model

    def _inference_model(self) -> keras.Model:
        """The model that predicts: ``model_``, or its twin that feeds each
        prediction back (the conditional decoder)."""
        if not self._conditional():
            return self.model_
        return inference_twin(
            self.model_,
            "sequences",
            lambda: conditional_inference(
                self.model_,
                cell=self.cell,
                n_layers=len(self._units()),
                context=False,
            ),
        )

    # -- data ---------------------------------------------------------------
    def _level(self, batch):
        """Each window's level, ``(n, n_features)``, or None without ``level``."""
        if self.level is None:
            return None
        level = last_steps(batch)
        if self.level == "log_last" and not (np.nanmin(batch.values) > 0):
            raise ValueError(
                "level='log_last' works on the log scale and needs X > 0 "
                "everywhere; use level='last' for series that reach 0 or below."
            )
        return level

    def _unscaled_inputs(self, batch):
        level = self._level(batch)
        if level is None:
            return batch.values
        return remove_level(batch.values, level, self.level == "log_last")

    def _training_data(self, batch, inputs, y, *, reset):
        targets, layout = to_targets(y, batch.n_samples)
        if reset:
            self.target_layout_ = layout
            self.n_output_steps_, self.n_output_features_ = targets.shape[1:]
        elif targets.shape[1:] != (self.n_output_steps_, self.n_output_features_):
            raise ValueError(
                f"y has sequences of shape {targets.shape[1:]}, but the model was "
                f"fitted on ({self.n_output_steps_}, {self.n_output_features_})."
            )
        level = self._level(batch)
        if level is not None:
            if self.n_output_features_ != batch.n_step_features:
                raise ValueError(
                    f"level={self.level!r} subtracts each window's last input value "
                    f"from its targets, so y needs the same {batch.n_step_features} "
                    f"features per step as X; it has {self.n_output_features_}. "
                    "Use level=None for targets that are a different quantity."
                )
            if self.level == "log_last" and not (targets.min() > 0):
                raise ValueError("level='log_last' needs y > 0 everywhere.")
            targets = remove_level(targets, level, self.level == "log_last")
        if reset:
            self.target_scaler_ = SequenceScaler().fit(targets) if self.scale else None
        if self.scale:
            targets = self.target_scaler_.transform(targets)
        targets = targets.astype(np.float32)
        if self._conditional():
            return [inputs, shift_right(targets)], targets, None
        return inputs, targets, None

    # -- public API ---------------------------------------------------------
    def predict(self, X):
        """Predict the output sequence of each input sequence.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences in any form accepted by ``fit``.

        Returns
        -------
        y_pred : ndarray, float64
            In the layout and units of the ``y`` given to ``fit``:
            ``(n_samples,)``, ``(n_samples, n_output_steps)`` or
            ``(n_samples, n_output_steps, n_output_features)``.
        """
        return self._as_fitted()._predict(X)

    def _predict(self, X):
        batch = self._check_sequences(X, reset=False)
        outputs = self._run(self._inference_model(), batch)
        if self.scale:
            outputs = self.target_scaler_.inverse_transform(outputs)
        level = self._level(batch)
        if level is not None:
            outputs = restore_level(outputs, level, self.level == "log_last")
        return from_targets(outputs.astype(np.float64), self.target_layout_)

    def score(self, X, y, sample_weight=None):
        """R^2 of the predictions over all outputs (every step and feature).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Input sequences.
        y : array-like
            True target sequences, in any layout ``fit`` accepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sequence weights.

        Returns
        -------
        score : float
            ``r2_score`` averaged uniformly over the flattened outputs.
        """
        predictions = self.predict(X)
        truth, _ = to_targets(y, len(predictions))
        return float(
            r2_score(
                truth.reshape(len(truth), -1),
                np.asarray(predictions).reshape(len(truth), -1),
                sample_weight=sample_weight,
            )
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # A few epochs of a tiny network (as in sklearn's checks) fit poorly.
        tags.regressor_tags.poor_score = True
        return tags
