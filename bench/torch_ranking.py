#!/usr/bin/python3
"""PyTorch twin of the ranking models `bench/ranking_bench.ts` trains, on the very same rows.

The TypeScript bench writes the encoded split to a binary file and runs this script on it, so
both frameworks see identical training and test pairs. The recipe is the one of
`tools/evaluate/ranking_recipes.ts`: user and movie tables N(0, 0.1^2) of `--factors`, a movie
bias (zeros), score = P[u].Q[m] + b[m]; batches of `--batch` users shuffled every epoch, every
catalogue movie scored at once (S = P[users] Q^T + b); the loss

  softmax  -sum(X * log_softmax(S)) / sum(X)             (X: the batch users' 0/1 training rows)
  bpr      mean softplus(S[r, j] - S[r, i]) over every positive (r, i) and `--negatives` movies j
           drawn uniformly for it (a drawn movie may be a positive)

plus l2 * (mean over the batch users of w_u |P_u|^2 + mean over all movies of w_m |Q_m|^2) with
w = (max(count, 1) / mean count)^0.5; dense Adam (PyTorch's, eps 1e-8) at a constant rate.

Usage: /usr/bin/python3 torch_ranking.py --data FILE --model softmax|bpr [--epochs N]
       [--batch B] [--factors D] [--lr LR] [--l2 L2] [--negatives K] [--threads T] [--seed S]
Prints one line per epoch and, last, one JSON line:
{"framework": "torch", "model": ..., "epochs": N, "batch": B, "threads": T,
 "blas_threads": T or null (OpenBLAS' own count; null when the BLAS is another),
 "samples_per_s": ..., "s_per_epoch": ..., "cpu_samples_per_s": ...,
 "precision_at_10": ..., "ndcg_at_10": ...}
(samples are training ratings; seconds count the training steps only.)

Data file layout (little endian): int32 n_users, int32 n_movies, int32 n_train, int32 n_test,
then users int32[n_train], movies int32[n_train], users int32[n_test], movies int32[n_test].
"""
import argparse
import json
import time

from _blas import blas_threads, cap_blas_threads

p = argparse.ArgumentParser()
p.add_argument("--data", required=True)
p.add_argument("--model", default="softmax", choices=["softmax", "bpr"])
p.add_argument("--epochs", type=int, default=45)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--factors", type=int, default=64)
p.add_argument("--lr", type=float, default=5e-3)
p.add_argument("--l2", type=float, default=0.08)
p.add_argument("--negatives", type=int, default=16)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=42)
a = p.parse_args()
cap_blas_threads(a.threads)  # before numpy and torch load
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

raw = np.fromfile(a.data, dtype=np.int32)
n_users, n_movies, n_train, n_test = (int(v) for v in raw[:4])
off = 4
tr_u, tr_m = raw[off:off + n_train], raw[off + n_train:off + 2 * n_train]
off += 2 * n_train
te_u, te_m = raw[off:off + n_test], raw[off + n_test:off + 2 * n_test]

X = torch.zeros(n_users, n_movies)
X[torch.from_numpy(tr_u.astype(np.int64)), torch.from_numpy(tr_m.astype(np.int64))] = 1.0
n_u, c_m = X.sum(1), X.sum(0)
w_u = (n_u.clamp(min=1) / n_u.mean()) ** 0.5
w_m = (c_m.clamp(min=1) / c_m.mean()) ** 0.5
active = torch.nonzero(n_u > 0).squeeze(1)
n_pos = int(X.sum())

P = (torch.randn(n_users, a.factors) * 0.1).requires_grad_()
Q = (torch.randn(n_movies, a.factors) * 0.1).requires_grad_()
b = torch.zeros(n_movies, requires_grad=True)
opt = torch.optim.Adam([P, Q, b], lr=a.lr, eps=1e-8)
rng = np.random.default_rng(a.seed)


def step(users):
    pu = P[users]
    S = pu @ Q.T + b
    x = X[users]
    if a.model == "softmax":
        loss = -(torch.log_softmax(S, 1) * x).sum() / x.sum()
    else:
        r, i = torch.nonzero(x, as_tuple=True)
        j = torch.from_numpy(rng.integers(0, n_movies, size=(len(r), a.negatives)))
        loss = torch.nn.functional.softplus(S[r[:, None], j] - S[r, i][:, None]).mean()
    if a.l2 > 0:
        loss = loss + a.l2 * ((w_u[users] * (pu ** 2).sum(1)).mean() + (w_m * (Q ** 2).sum(1)).mean())
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def evaluate(k=10):
    """The top-10 protocol: training movies excluded, every test movie relevant."""
    with torch.no_grad():
        S = (P @ Q.T + b).numpy().astype(np.float64)
    S[tr_u, tr_m] = -np.inf
    rel = {}
    for u, m in zip(te_u, te_m):
        if X[u, m] == 0:
            rel.setdefault(int(u), set()).add(int(m))
    disc = 1 / np.log2(np.arange(2, k + 2))
    ps, ns = [], []
    for u, movies in rel.items():
        if n_u[u] == 0:
            continue
        top = np.argsort(-S[u], kind="stable")[:k]
        hit = np.array([m in movies for m in top], dtype=float)
        ps.append(hit.sum() / k)
        ns.append((hit * disc).sum() / disc[:min(len(movies), k)].sum())
    return float(np.mean(ps)), float(np.mean(ns))


train_s, cpu_s = 0.0, 0.0
for epoch in range(a.epochs):
    t0, c0 = time.perf_counter(), time.process_time()
    order = active[torch.from_numpy(rng.permutation(len(active)))]
    total = 0.0
    for s in range(0, len(order), a.batch):
        total += step(order[s:s + a.batch])
    train_s += time.perf_counter() - t0
    cpu_s += time.process_time() - c0
    print(f"epoch {epoch + 1} loss {total / -(-len(order) // a.batch):.4f} train_s {train_s:.2f}",
          flush=True)
precision, ndcg = evaluate()
print(json.dumps({"framework": "torch", "model": a.model, "epochs": a.epochs, "batch": a.batch,
                  "threads": a.threads, "blas_threads": blas_threads(),
                  "samples_per_s": round(n_pos * a.epochs / train_s),
                  "s_per_epoch": round(train_s / a.epochs, 3),
                  "cpu_samples_per_s": round(n_pos * a.epochs / cpu_s),
                  "precision_at_10": round(precision, 4), "ndcg_at_10": round(ndcg, 4)}))
