#!/usr/bin/python3
"""PyTorch twins of the models `bench/train_bench.ts` trains, on the very same rows.

The TypeScript bench writes the encoded split to a binary file and runs this script on it, so
both frameworks see identical training and validation rows (same users, movies, ratings).
The `dot-bias` recipe is line for line the one of `../shared/bench/torch_embeddingnet.py`
(seed 003: nn.Embedding default N(0, 1) init, sigmoid range 0..5.5, Adam lr 3e-3 with coupled
weight decay 3e-4, MSE). `dot` drops the biases. `mlp` (seed 002's deep model) and `dlrm`
(seed 004's concat-MLP on a centred target) use Keras' initialisers (embeddings uniform
+-0.05, dense Glorot uniform, zero biases) and Adam lr 1e-3, as their tfjs versions do.

Usage: /usr/bin/python3 torch_bench.py --data FILE --model KIND [--epochs N] [--batch B]
       [--threads T] [--seed S] [--limit N]
Prints one line per epoch and, last, one JSON line with the keys of torch_embeddingnet.py:
{"framework": "torch", "model": ..., "epochs": N, "batch": B, "threads": T,
 "blas_threads": T or null (OpenBLAS' own count; null when the BLAS is another),
 "samples_per_s": ..., "s_per_epoch": ..., "best_val_mse": ..., "cpu_samples_per_s": ...}
(cpu_samples_per_s counts this process's CPU time, which other programs on the machine barely
change, where samples_per_s counts wall time.)

Data file layout (little endian): int32 n_users, int32 n_movies, int32 n_train, int32 n_val,
then users int32[n_train], movies int32[n_train], ratings float32[n_train], and the same three
arrays for the validation rows.
"""
import argparse
import json
import time

from _blas import blas_threads, cap_blas_threads

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--model", default="dot-bias", choices=["dot", "dot-bias", "mlp", "dlrm"])
p.add_argument("--epochs", type=int, default=30)
p.add_argument("--batch", type=int, default=100)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--limit", type=int, default=0, help="train on the first N training rows only")
a = p.parse_args()
cap_blas_threads(a.threads)  # before numpy and torch load
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

raw = np.fromfile(a.data, dtype=np.uint8)
n_users, n_movies, n_train, n_val = (int(v) for v in raw[:16].view(np.int32))
off = 16


def take(n, dtype):
    global off
    out = raw[off:off + 4 * n].view(dtype)
    off += 4 * n
    return torch.from_numpy(out.copy())


tr_u, tr_m, tr_r = take(n_train, np.int32).long(), take(n_train, np.int32).long(), take(n_train, np.float32)
va_u, va_m, va_r = take(n_val, np.int32).long(), take(n_val, np.int32).long(), take(n_val, np.float32)
if a.limit > 0:
    tr_u, tr_m, tr_r = tr_u[:a.limit], tr_m[:a.limit], tr_r[:a.limit]
n_train = len(tr_r)
offset = 0.0
if a.model == "dlrm":
    offset = float(tr_r.mean())  # seed 004 trains on rating - mean(train)


class EmbeddingNet(nn.Module):
    """Seed 003's model: dot product (+ biases) through a sigmoid range 0..5.5."""

    def __init__(self, bias, n_factors=50, y_range=(0.0, 5.5)):
        super().__init__()
        self.bias = bias
        self.uf = nn.Embedding(n_users, n_factors)
        self.mf = nn.Embedding(n_movies, n_factors)
        if bias:
            self.ub = nn.Embedding(n_users, 1)
            self.mb = nn.Embedding(n_movies, 1)
        self.lo, self.hi = y_range

    def forward(self, u, m):
        r = (self.uf(u) * self.mf(m)).sum(dim=1, keepdim=True)
        if self.bias:
            r = r + self.ub(u) + self.mb(m)
        return torch.sigmoid(r) * (self.hi - self.lo) + self.lo


class ConcatMLP(nn.Module):
    """Embeddings -> concat -> dropout -> dense stack -> 1, with Keras' initialisers."""

    def __init__(self, factors, hidden, input_dropout, dropout):
        super().__init__()
        self.u = nn.Embedding(n_users, factors)
        self.m = nn.Embedding(n_movies, factors)
        layers, width = [nn.Dropout(input_dropout)] if input_dropout > 0 else [], 2 * factors
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)
        for emb in (self.u, self.m):
            nn.init.uniform_(emb.weight, -0.05, 0.05)
        for layer in self.net:
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)

    def forward(self, u, m):
        return self.net(torch.cat([self.u(u), self.m(m)], dim=1))


if a.model in ("dot", "dot-bias"):
    model = EmbeddingNet(bias=a.model == "dot-bias")
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=3e-4)
elif a.model == "mlp":
    model = ConcatMLP(factors=64, hidden=[64], input_dropout=0.5, dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
else:
    model = ConcatMLP(factors=8, hidden=[32, 4], input_dropout=0.0, dropout=0.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

loss_fn = nn.MSELoss()
rng = np.random.default_rng(a.seed)
best, train_s, cpu_s = float("inf"), 0.0, 0.0
for epoch in range(a.epochs):
    t0, c0 = time.perf_counter(), time.process_time()
    order = torch.from_numpy(rng.permutation(n_train))
    model.train()
    for i in range(0, n_train, a.batch):
        b = order[i:i + a.batch]
        opt.zero_grad()
        loss = loss_fn(model(tr_u[b], tr_m[b]).squeeze(1), tr_r[b] - offset)
        loss.backward()
        opt.step()
    train_s += time.perf_counter() - t0
    cpu_s += time.process_time() - c0
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(va_u, va_m).squeeze(1), va_r - offset).item()
    best = min(best, val)
    print(f"epoch {epoch + 1} val_mse {val:.4f} train_s {train_s:.2f}", flush=True)
print(json.dumps({"framework": "torch", "model": a.model, "epochs": a.epochs, "batch": a.batch,
                  "threads": a.threads, "blas_threads": blas_threads(),
                  "samples_per_s": round(n_train * a.epochs / train_s),
                  "s_per_epoch": round(train_s / a.epochs, 3), "best_val_mse": round(best, 4),
                  "cpu_samples_per_s": round(n_train * a.epochs / cpu_s)}))
