#!/usr/bin/env python3
"""PyTorch training throughput of the reference architectures, the side-by-side for bench/train-throughput.sh.

Same protocol as dev.tamp.bench.TrainThroughput: Adam (lr 1e-3, constant), batch 128, shuffled each epoch, on the
first IMAGES Fashion-MNIST training images held in memory as float32 / 255; one warm-up epoch, then EPOCHS timed
epochs; prints the images/s of each timed epoch and their median.

Usage: train_throughput.py {lenet300|lenet5} DATA_DIR IMAGES EPOCHS THREADS
"""
import gzip
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def model(name):
    if name == "lenet300":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                             nn.Linear(100, 10))
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def main():
    name, data, images, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = read_idx(f"{data}/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:images]
    y = read_idx(f"{data}/train-labels-idx1-ubyte.gz", 8)[:images]
    x = torch.from_numpy(x.astype(np.float32) / 255.0)
    y = torch.from_numpy(y.astype(np.int64))
    net = model(name)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for epoch in range(epochs + 1):
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), 128):
            idx = order[i:i + 128]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        if epoch > 0:
            rates.append(len(x) / (time.perf_counter() - start))
    print(f"pytorch {torch.__version__} {name}: {threads} threads, batch 128, Adam, {len(x)} images/epoch; "
          f"epochs img/s: {' '.join(f'{r:.0f}' for r in rates)}; median {sorted(rates)[len(rates) // 2]:.0f} img/s")


if __name__ == "__main__":
    main()
