"""The examples run and print the numbers they claim."""

import re
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.slow
def test_forecasting_example_level_removal_beats_naive_and_plain(capsys):
    runpy.run_path(str(EXAMPLES / "plot_forecasting.py"), run_name="__main__")
    output = capsys.readouterr().out
    naive = float(re.search(r"Seasonal naive MAE: ([\d.]+)", output).group(1))
    plain = float(re.search(r"level=None\s*: MAE ([\d.]+)", output).group(1))
    log_last = float(re.search(r"level=log_last\s*: MAE ([\d.]+)", output).group(1))
    assert log_last < 0.5 * naive, output
    assert log_last < plain, output
