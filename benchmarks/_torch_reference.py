"""The reference network of ``bench_fit.py`` written in native PyTorch, as a
PyTorch user would: ``nn.LSTM`` encoder, its last hidden state repeated at every
step, ``nn.LSTM`` decoder, ``nn.Linear`` per step; Adam (lr 1e-3), MSE, batches
of 64 shuffled every epoch, float32, as many threads as cores. Not part of the
package; run by ``bench_fit.py`` in a fresh process per fit (TensorFlow is
never imported here, so its thread pools cannot compete with PyTorch's):

    python benchmarks/_torch_reference.py N_SAMPLES N_TIMESTEPS N_FEATURES \\
        --epochs 4 --configured-epochs 100

prints one JSON line: the fit's wall time, each epoch's wall time and the number
of trainable parameters. PyTorch's LSTM has two bias vectors per layer (input
and recurrent, ``4 * units`` each) where Keras' has one, so this network has
``2 * 4 * units`` more parameters than the Keras one (the same function).
"""

import argparse
import json
import os
import time

from _common import Stopwatch, make_data


def autoencoder(n_timesteps, n_features, units=64):
    from torch import nn

    class LSTMAutoencoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.LSTM(n_features, units, batch_first=True)
            self.decoder = nn.LSTM(units, units, batch_first=True)
            self.output = nn.Linear(units, n_features)

        def forward(self, x):
            _, (hidden, _) = self.encoder(x)  # hidden: (1, batch, units)
            repeated = hidden[-1].unsqueeze(1).repeat(1, n_timesteps, 1)
            steps, _ = self.decoder(repeated)
            return self.output(steps)

    return LSTMAutoencoder()


def fit(X, epochs, configured_epochs, batch_size=64, threads=None, seed=0):
    """Train on ``X`` for a ``configured_epochs`` fit stopped after ``epochs``:
    ``(wall seconds, epoch seconds, trainable parameters)``."""
    import torch

    torch.set_num_threads(threads or os.cpu_count())
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    times = []
    with Stopwatch() as watch:
        data = torch.from_numpy(X)
        model = autoencoder(*X.shape[1:])
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.MSELoss()
        model.train()
        for _ in range(configured_epochs):
            start = time.perf_counter()
            order = torch.randperm(len(data), generator=generator)
            for begin in range(0, len(data), batch_size):
                batch = data[order[begin : begin + batch_size]]
                optimizer.zero_grad()
                loss = loss_fn(model(batch), batch)
                loss.backward()
                optimizer.step()
            times.append(time.perf_counter() - start)
            if len(times) >= epochs:
                break
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return watch.seconds, times, n_params


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shape", nargs=3, type=int)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--configured-epochs", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="ignored (sizes given)")
    args = parser.parse_args()
    X = make_data(*args.shape)
    wall, times, n_params = fit(X, args.epochs, args.configured_epochs)
    print(json.dumps({"wall": wall, "times": times, "n_params": n_params}))


if __name__ == "__main__":
    main()
