"""LSTMAutoencoderTransformer: sequences -> fixed-length codes."""

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array

from ._autoencoder import AutoencoderEstimator
from ._compat import check_sample_weight
from ._data import from_sequences


class LSTMAutoencoderTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, AutoencoderEstimator
):
    """Turn sequences into fixed-length codes with an LSTM autoencoder.

    ``fit`` trains an encoder-decoder network to reconstruct its input
    sequences; ``transform`` returns the encoder's output, a fixed-length
    vector per sequence (a bottleneck of ``encoding_dim`` values and the
    encoder's outputs pooled over time), ready for any scikit-learn model.
    The decoder is unconditioned: the code is repeated at every output step
    (RepeatVector), as in the classic Keras LSTM autoencoder. By default a
    linear path runs next to the recurrent layers, started at PCA's solution
    (``linear_path``): the reconstruction is never worse than PCA's with as
    many values on held-out sequences, and the bottleneck holds PCA's scores
    plus what training adds.

    Inputs (``X`` of every method) may be:

    - 3D ``(n_samples, n_timesteps, n_features)``, channels-last;
    - 2D ``(n_samples, n_columns)`` or a DataFrame: univariate sequences of
      length ``n_columns``, or with ``n_features=k`` flat rows of
      ``n_timesteps * k`` values in time-major order (``t0f0, t0f1, ..., t1f0``);
    - variable length: a list of ``(T_i, n_features)`` or ``(T_i,)`` arrays, or
      trailing all-NaN time steps. Padding never influences codes, losses or
      scores. A model fitted on fixed-length data requires that length; one
      fitted on variable-length data accepts sequences up to the longest seen
      (``transform``, which only runs the encoder, takes longer ones too).

    Read more in the :doc:`User Guide </user_guide/architectures>`.

    Parameters
    ----------
    %(autoencoder_parameters)s
    %(shared_parameters)s

    Attributes
    ----------
    %(autoencoder_attributes)s
    %(shared_attributes)s

    See Also
    --------
    sklearn.decomposition.PCA : Linear codes of fixed-length vectors.

    Notes
    -----
    ``model_`` is ``decoder_(encoder_(X))``, with a second output,
    ``future_decoder``, for "composite", and the shifted targets as extra
    inputs for the conditional decoder. ``inverse_transform`` returns 2D flat
    rows when the model was fitted on 2D input, 3D arrays otherwise.

    References
    ----------
    .. [1] N. Srivastava, E. Mansimov, R. Salakhutdinov, "Unsupervised Learning
       of Video Representations using LSTMs", ICML 2015.
    .. [2] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning
       with Neural Networks", NeurIPS 2014.

    Examples
    --------
    >>> from sklearn_lstmae import LSTMAutoencoderTransformer
    >>> from sklearn_lstmae.datasets import make_sequence_classification
    >>> X, y = make_sequence_classification(n_samples=40, n_timesteps=12,
    ...                                     random_state=0)
    >>> X.shape
    (40, 12, 2)
    >>> ae = LSTMAutoencoderTransformer(encoding_dim=4, units=8, epochs=2,
    ...                                 random_state=0)
    >>> codes = ae.fit_transform(X)
    >>> codes.shape  # 4 bottleneck values, then the mean and max of 8 outputs
    (40, 20)
    >>> ae.inverse_transform(codes).shape
    (40, 12, 2)
    >>> ae.score_samples(X).shape
    (40,)
    """

    def __init__(
        self,
        encoding_dim: int | None = 16,
        *,
        objective: str = "reconstruct",
        n_future: int | None = None,
        future_weight: float = 1.0,
        reverse_target: bool = False,
        decoder: str = "repeat",
        temporal_code: bool = False,
        pooling=("mean", "max"),
        downsample="auto",
        linear_path: bool = True,
        units=(128,),
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: float = 0.0,
        n_features: int | None = None,
        scale: bool = True,
        epochs: int = 100,
        batch_size: int = 64,
        optimizer="adam",
        optimizer__learning_rate: float = 0.003,
        optimizer__clipnorm: float | None = 1.0,
        loss="mse",
        metrics=None,
        validation_split="auto",
        validation_batch_size: int | None = None,
        early_stopping="auto",
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

    # -- public API -----------------------------------------------------------
    def transform(self, X):
        """Encode sequences into fixed-length codes.

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``, with the fitted number
            of features per step.

        Returns
        -------
        codes : ndarray of shape (n_samples, n_codes), float32
            One code per sequence: the bottleneck (``encoding_dim`` values, or
            the final state when ``encoding_dim=None``), then the pooled
            encoder outputs of each ``pooling`` mode in turn.
        """
        fitted = self._as_fitted()
        batch = fitted._check_sequences(X, reset=False, longer=True)
        return fitted._run(fitted.encoder_, batch)

    def inverse_transform(self, X):
        """Decode codes into sequences, in the units of the training data.

        What comes back depends on ``objective``: the reconstruction of the
        sequence (``"reconstruct"``), of its past (``"composite"``: the steps
        before the last ``n_future``), or the predicted ``n_future`` steps that
        follow it (``"predict"``). Reversed targets are returned in forward
        time order (for variable-length models, steps past a sequence's own
        length carry no meaning).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_codes)
            Codes, as returned by ``transform``.

        Returns
        -------
        sequences : ndarray
            ``(n_samples, n_steps, n_features)``, or flat
            ``(n_samples, n_steps * n_features)`` rows when the model was
            fitted on 2D input.
        """
        return self._as_fitted()._inverse_transform(X)

    def _inverse_transform(self, X):
        codes = check_array(X, dtype=np.float32)
        if codes.shape[1] != self._n_features_out:
            raise ValueError(
                f"X has {codes.shape[1]} columns, but {type(self).__name__} codes "
                f"have {self._n_features_out}. Pass the output of transform."
            )
        target = next(iter(self._targets()))
        decoded = self._decode(codes, target)
        if self.reverse_target and target == "reconstruction":
            decoded = decoded[:, ::-1]
        layout = "2d" if self.input_layout_ == "2d" else "3d"
        return from_sequences(self._unscale(decoded), layout)

    def get_feature_names_out(self, input_features=None):
        """Names of the code columns.

        The bottleneck's ``lstmautoencodertransformer0``, ``...1``, ..., then
        the pooled outputs ``lstmautoencodertransformer_mean0``, ... and
        ``lstmautoencodertransformer_max0``, ... (in ``pooling`` order); with
        ``temporal_code=True``, ``lstmautoencodertransformer_t{step}_{k}`` for
        value ``k`` of the code of time step ``step`` (time-major, the order of
        ``transform``'s columns).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Checked against ``feature_names_in_`` when given.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per code column.
        """
        return self._as_fitted()._feature_names_out(input_features)

    def _feature_names_out(self, input_features):
        names = super().get_feature_names_out(input_features)
        prefix = type(self).__name__.lower()
        if self.temporal_code:
            names = [
                f"{prefix}_t{step}_{k}"
                for step in range(self.n_timesteps_)
                for k in range(self.encoding_dim)
            ]
        elif self._pooling():
            bottleneck, modes, width = self._code_layout()
            pooled = (f"{prefix}_{mode}{k}" for mode in modes for k in range(width))
            names = [*names[:bottleneck], *pooled]
        return np.asarray(names, dtype=object)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like, DataFrame or list of array-like
            Sequences in any form accepted by ``fit``.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the per-sequence errors.

        Returns
        -------
        score : float
            Weighted mean of ``score_samples(X)``, for model selection.
        """
        scores = self.score_samples(X)
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, scores)
        return float(np.average(scores, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
