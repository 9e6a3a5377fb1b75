"""sklearn-lstmae: Keras LSTM encoder-decoder models as scikit-learn estimators.

Public API: :class:`LSTMAutoencoderTransformer`,
:class:`LSTMAutoencoderOutlierDetector`, :class:`LSTMSequencePredictor`,
:func:`save` and :func:`load` (persistence without pickle), and the
``datasets`` and ``windows`` modules.
"""

from ._quiet import quiet_tensorflow_import

quiet_tensorflow_import()

from ._outlier_detector import LSTMAutoencoderOutlierDetector  # noqa: E402
from ._persistence import load, save  # noqa: E402
from ._predictor import LSTMSequencePredictor  # noqa: E402
from ._transformer import LSTMAutoencoderTransformer  # noqa: E402
from ._version import __version__  # noqa: E402

__all__ = [
    "LSTMAutoencoderOutlierDetector",
    "LSTMAutoencoderTransformer",
    "LSTMSequencePredictor",
    "__version__",
    "load",
    "save",
]
