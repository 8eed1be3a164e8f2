#!/usr/bin/env python3
"""Replay an optimizer-playground experiment in PyTorch.

Written by `npm run cli -- export torch EXPERIMENT.json --out DIR`. Everything the run needs lies
beside this script: config.json (model, loss, optimizers, schedules, metrics), the data
(x_train.npy, y_train.npy, x_test.npy, y_test.npy) and each run's initial weights
(init-run-<i>.npy), all written by the playground's own generators. With --dtype float64 on the
CPU the metrics match the playground's float64 CPU backend to rounding.

Needs Python >= 3.9, PyTorch >= 1.13 and NumPy.

    python3 train.py [--device cpu|cuda|mps] [--dtype float32|float64] [--steps N] [--out DIR]

Writes DIR/metrics.csv (run,step,metric,value, the playground CLI's format) and
DIR/weights-run-<i>.npy (each run's final parameters, flattened in the order of
model.named_parameters(): layers.0.weight [out, in] (a convolution's [out, in, kh, kw]),
layers.0.bias, layers.1.weight, ...; the patch CNN's filters.weight).
"""
import argparse
import contextlib
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------------------------
# Minibatch order: the playground's counter-based index stream, bit for bit. Each epoch is a keyed
# permutation of 0..n-1 (a 6-round Feistel network on the next power of two, cycle-walking until
# the value is below n); step t (0-based) takes positions k*B .. k*B+B-1 of epoch t // (n // B),
# with k = t % (n // B) (the remainder of an epoch is dropped). Full batch: 0..n-1 in order.
# ---------------------------------------------------------------------------------------------
M32 = 0xFFFFFFFF
STREAM_BATCH = 2


def hash32(x):
    """lowbias32 (C. Wellons' hash-prospector) on a Python int or a uint64 array of 32-bit values."""
    x = x & M32
    x = x ^ (x >> 16)
    x = (x * 0x7FEB352D) & M32
    x = x ^ (x >> 15)
    x = (x * 0x846CA68B) & M32
    return x ^ (x >> 16)


def rng_u32(seed, stream, counter):
    a = hash32(seed ^ 0x9E3779B9)
    b = hash32(a ^ ((stream + 0x85EBCA6B) & M32))
    c = hash32(b ^ counter)
    return hash32((c + 0xC2B2AE35) & M32)


def feistel(x, bits, key):
    lb = bits >> 1
    rb = bits - lb
    mask_l, mask_r = (1 << lb) - 1, (1 << rb) - 1
    left, right = x >> rb, x & mask_r
    for i in range(6):
        k = hash32((key + (((i + 1) * 0x9E3779B9) & M32)) & M32)
        if i % 2 == 0:
            left = left ^ (hash32(right ^ k) & mask_l)
        else:
            right = right ^ (hash32(left ^ k) & mask_r)
    return (left << rb) | right


def batch_indices(seed, t, n, batch):
    """The training rows of step t (0-based) as an int64 array of length `batch`."""
    if batch == n:
        return np.arange(n, dtype=np.int64)
    per_epoch = n // batch
    key = rng_u32(seed, STREAM_BATCH, t // per_epoch)
    bits = (n - 1).bit_length()
    start = (t % per_epoch) * batch
    x = feistel(np.arange(start, start + batch, dtype=np.uint64), bits, key)
    while (x >= n).any():
        bad = x >= n
        x[bad] = feistel(x[bad], bits, key)
    return x.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Learning-rate schedules: the multiplier of the peak lr for step t0 + 1 (t0 0-based), after an
# optional linear warmup of W steps; u = t0 - W runs over T = steps - W steps.
# ---------------------------------------------------------------------------------------------
def schedule_factor(s, t0, steps):
    if s["name"] == "refined":  # per-step factors derived from a finished run
        f = s.get("factors") or []
        return f[min(max(0, t0), len(f) - 1)] if f else 1.0
    warmup = min(max(0, s.get("warmup", 0)), steps)
    if t0 < warmup:
        return (t0 + 1) / warmup
    u, T = t0 - warmup, max(1, steps - warmup)
    if s["name"] == "constant":
        return 1.0
    if s["name"] == "step":  # like torch's StepLR
        step_size = s.get("stepSize")
        return s.get("gamma", 0.1) ** (u // max(1, T if step_size is None else step_size))
    if s["name"] == "exponential":
        return s.get("gamma", 1.0) ** u
    if s["name"] == "linear":
        return max(0.0, 1 - u / T)
    if s["name"] == "cosine":
        lo = s.get("minFactor", 0.0)
        return lo + (1 - lo) * (1 + math.cos(math.pi * min(u, T) / T)) / 2
    raise ValueError(f"unknown schedule {s['name']!r}")


# ---------------------------------------------------------------------------------------------
# Optimizers: torch.optim where its update equals the playground's, else written out below.
# ---------------------------------------------------------------------------------------------
OPTIMIZERS = {}  # optimizer name -> make(params, hp), hp the run's hyperparameters (camelCase)

# @@OPTIMIZERS@@


# @@MODELS@@


# @@CURVATURE@@


# ---------------------------------------------------------------------------------------------
# Losses.
# ---------------------------------------------------------------------------------------------
def example_losses(z, y, loss, n_classes):
    """Per-example losses of the outputs z [n, outputs]; y: class indices, or targets [n, outputs]."""
    if loss == "cross-entropy":
        return F.cross_entropy(z, y, reduction="none")
    if loss == "logistic":  # softplus(-s z), s = 2y - 1
        return F.softplus(-(2 * y - 1) * z[:, 0])
    if loss == "hinge":  # max(0, 1 - s z); relu's gradient at 0 is 0, as the playground's
        return torch.relu(1 - (2 * y - 1) * z[:, 0])
    if loss == "mse":  # 0.5 |z - target|^2
        if n_classes == 2 and z.shape[1] == 1:
            target = (2 * y - 1).unsqueeze(1).to(z.dtype)  # one output, target +-1
        elif n_classes > 0:
            target = F.one_hot(y, n_classes).to(z.dtype)
        else:
            target = y
        return 0.5 * ((z - target) ** 2).sum(dim=1)
    raise ValueError(f"unknown loss {loss!r}")


def correct_count(z, y, loss, n_classes):
    if n_classes == 0:
        return 0
    if loss in ("logistic", "hinge") or (loss == "mse" and z.shape[1] == 1):
        pred = (z[:, 0] > 0).long()
    else:
        pred = z.argmax(dim=1)  # ties -> the lowest index
    return int((pred == y).sum())


# =============================================================================================
# SWAP-IN POINT: a real dataset or a bigger model.
# load_data() returns the splits as tensors: x [n, ...]; y int64 class indices 0..n_classes-1
# (classification) or float targets [n, outputs] (regression). build_model() returns any
# nn.Module mapping a batch of inputs to [batch, outputs]. The rest of the script (minibatch
# order, optimizers, schedules, metrics) works unchanged. With another model the exported
# initial weights do not fit: PyTorch's default initialisation is kept and a note is printed.
# =============================================================================================
def load_data(cfg, dtype, device):
    def load(file, labels):
        a = np.load(os.path.join(HERE, file))
        if labels and cfg["nClasses"] > 0:
            return torch.from_numpy(a.reshape(-1).astype(np.int64)).to(device)
        return torch.from_numpy(a).to(device=device, dtype=dtype)

    files = cfg["files"]
    data = {
        "x_train": load(files["xTrain"], False),
        "y_train": load(files["yTrain"], True),
        "x_test": load(files["xTest"], False),
        "y_test": load(files["yTest"], True),
        "n_classes": cfg["nClasses"],
    }
    # Extra evaluation sets (S-randomized test inputs, the opposing-signals groups), logged as
    # their accuracy or mean loss: with another dataset, leave them out of config.json.
    for s in cfg["metrics"].get("evalSets", []):
        data["x_" + s["metric"]], data["y_" + s["metric"]] = load(s["x"], False), load(s["y"], True)
    return data


def build_model(cfg):
    return build_network(cfg)


# ---------------------------------------------------------------------------------------------
# Training.
# ---------------------------------------------------------------------------------------------
def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def load_flat(model, values):
    """Copy a flat vector into the parameters, in named_parameters() order; False if it does not fit."""
    params = list(model.parameters())
    if sum(p.numel() for p in params) != values.size:
        return False
    with torch.no_grad():
        offset = 0
        for p in params:
            p.copy_(torch.from_numpy(values[offset : offset + p.numel()]).reshape(p.shape))
            offset += p.numel()
    return True


class Scorer:
    """Outputs, losses and accuracy of a model; with outputScale alpha the output is
    alpha (F(x) - F0(x)), F0 the initial model's outputs, and every loss is divided by alpha^2."""

    def __init__(self, cfg, data, model):
        self.loss, self.n_classes = cfg["loss"], data["n_classes"]
        self.alpha = cfg["model"].get("outputScale")
        self.f0 = {}
        if self.alpha is not None:
            with torch.no_grad():
                self.f0 = {s[2:]: model(data[s]) for s in data if s.startswith("x_")}

    def outputs(self, model, x, split, rows=None):
        z = model(x)
        if self.alpha is None:
            return z
        f0 = self.f0[split] if rows is None else self.f0[split][rows]
        return self.alpha * (z - f0)

    def losses(self, z, y):
        scale = 1.0 if self.alpha is None else 1.0 / (self.alpha * self.alpha)
        return example_losses(z, y, self.loss, self.n_classes) * scale

    @torch.no_grad()
    def evaluate(self, model, data, split, count, chunk=4096):
        """Mean loss and accuracy over the first `count` points of a split."""
        loss_sum, correct = 0.0, 0
        for s in range(0, count, chunk):
            rows = torch.arange(s, min(count, s + chunk), device=data["x_" + split].device)
            z = self.outputs(model, data["x_" + split][rows], split, rows)
            y = data["y_" + split][rows]
            loss_sum += float(self.losses(z, y).sum())
            correct += correct_count(z, y, self.loss, self.n_classes)
        return loss_sum / count, correct / count


def train_run(r, cfg, data, steps, device, dtype):
    """Train run r; returns its metric rows and final flat parameters."""
    run = cfg["runs"][r]
    model = build_model(cfg)
    init = np.load(os.path.join(HERE, run["init"]))
    if not load_flat(model, init):
        print(f"run {r}: the model differs from the exported one; keeping PyTorch's initialisation")
    model = model.to(device=device, dtype=dtype)
    params = list(model.parameters())
    # runSeed: FRUGAL draws its coordinate sets from the run's seed.
    opt = OPTIMIZERS[run["optimizer"]["name"]](params, dict(run["optimizer"]["hp"], runSeed=run["seed"]))
    scorer = Scorer(cfg, data, model)
    n_train, n_test = len(data["x_train"]), len(data["x_test"])
    full = cfg["fullBatch"] or cfg["batchSize"] >= n_train
    batch = n_train if full else cfg["batchSize"]
    eval_train = min(cfg["metrics"]["evalSubset"] or n_train, n_train)
    every = cfg["metrics"]["every"]
    w0 = flat(params)
    w0_norm = float(w0.norm())
    name = run["optimizer"]["name"]
    curv = Curvature(cfg, data, model, scorer, run["seed"], name, run["optimizer"]["hp"])
    eval_sets = [s for s in cfg["metrics"].get("evalSets", []) if "x_" + s["metric"] in data]
    rows = []
    lr0 = run["peakLr"] * schedule_factor(run["schedule"], 0, steps)  # step 0's rows: the lr of step 1
    prev = prev2 = batch_grad = None  # theta one and two steps back, the step's minibatch gradient

    def log(step, info):
        add = lambda metric, value: rows.append((r, step, metric, float(value)))  # noqa: E731
        theta = flat(params)
        train_loss, train_acc = scorer.evaluate(model, data, "train", eval_train)
        add("train_loss", train_loss)
        if data["n_classes"] > 0:
            add("train_acc", train_acc)
        if n_test > 0:
            test_loss, test_acc = scorer.evaluate(model, data, "test", n_test)
            add("test_loss", test_loss)
            if data["n_classes"] > 0:
                add("test_acc", test_acc)
                if cfg["dataKind"] == "feature-noise":
                    add("weak_feature_acc", test_acc)
        add("weight_norm", theta.norm())
        for s in eval_sets:
            loss, acc = scorer.evaluate(model, data, s["metric"], s["n"])
            add(s["metric"], acc if s["report"] == "acc" else loss)
        lr = lr0 if info is None else info["lr"]
        for metric, value in curv.measure(step, opt, lr, prev, prev2, batch_grad).items():
            add(metric, value)
        if info is not None:
            if w0_norm > 0:
                add("relative_weight_change", (theta - w0).norm() / w0_norm)
            for k in ("batch_loss", "lr", "temperature", "grad_norm", "step_distance", "update_norm"):
                add(k, info[k])
        return train_loss

    train_loss = log(0, None)
    for t in range(1, steps + 1):
        if not math.isfinite(train_loss) or (cfg["stopAtZeroLoss"] and train_loss == 0):
            break  # stopped at the last logged step (diverged, or zero training loss)
        idx = batch_indices(run["seed"], t - 1, n_train, batch)
        lr = run["peakLr"] * schedule_factor(run["schedule"], t - 1, steps)
        for group in opt.param_groups:
            group["lr"] = lr
        rows_t = None if full else torch.from_numpy(idx).to(device)

        def example_losses():
            x = data["x_train"] if full else data["x_train"][rows_t]
            y = data["y_train"] if full else data["y_train"][rows_t]
            return scorer.losses(scorer.outputs(model, x, "train", rows_t), y)

        def batch_loss_at_params():
            opt.zero_grad()
            loss = example_losses().mean()
            loss.backward()
            return loss

        before = flat(params)
        # Schedule-Free takes the gradient at another point than the parameters it evaluates.
        with getattr(opt, "gradient_point", contextlib.nullcontext)():
            loss = batch_loss_at_params()
        batch_grad = flat(p.grad for p in params)
        grad_norm = float(batch_grad.norm())
        if hasattr(opt, "perturb"):  # SAM: the step uses a second gradient, at a nearby point
            opt.perturb()
            batch_loss_at_params()
            opt.unperturb()
        if hasattr(opt, "clip_examples"):  # DP-SGD, DiceSGD: per-example clipped gradients
            opt.clip_examples(example_losses())
        opt.step()
        batch_loss = float(loss)
        dist = float((flat(params) - before).norm())
        prev, prev2 = before, prev
        finite = math.isfinite(batch_loss) and bool(torch.isfinite(flat(params)).all())
        if t == steps or t % every == 0:
            info = dict(batch_loss=batch_loss, lr=lr, temperature=lr / batch, grad_norm=grad_norm)
            info.update(step_distance=dist, update_norm=dist / lr if lr != 0 else 0.0)
            train_loss = log(t, info)
            if math.isfinite(train_loss) and finite and cfg["stopAtZeroLoss"] and train_loss == 0:
                rows.append((r, t, "zero_loss_step", float(t)))
                if run["fitTimeLr"] is not None:
                    rows.append((r, t, "fit_time", run["fitTimeLr"] * t))
        if not finite or not math.isfinite(train_loss):
            load_flat(model, before.cpu().numpy())  # diverged: frozen at the last finite parameters
            print(f"run {r} ({run['label']}): diverged at step {t}")
            break
    return rows, flat(params).cpu().to(torch.float64).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--device", default="cpu", help="cpu, cuda or mps (default cpu)")
    ap.add_argument("--dtype", default="float64", choices=["float32", "float64"])
    ap.add_argument("--steps", type=int, default=None, help="steps per run (default: the experiment's)")
    ap.add_argument("--out", default=HERE, help="output folder (default: beside this script)")
    args = ap.parse_args()
    if args.device not in ("cpu", "cuda", "mps") and not args.device.startswith("cuda:"):
        ap.error("--device: expected cpu, cuda or mps")
    if args.device == "mps" and args.dtype == "float64":
        ap.error("--device mps has no float64; add --dtype float32")
    if args.steps is not None and args.steps < 1:
        ap.error("--steps: expected an integer >= 1")
    with open(os.path.join(HERE, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    device = torch.device(args.device)
    steps = args.steps or cfg["steps"]
    data = load_data(cfg, dtype, device)
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for r, run in enumerate(cfg["runs"]):
        print(f"run {r} ({run['label']}): {run['optimizer']['name']}, {steps} steps")
        run_rows, weights = train_run(r, cfg, data, steps, device, dtype)
        rows += run_rows
        np.save(os.path.join(args.out, f"weights-run-{r}.npy"), weights)
    with open(os.path.join(args.out, "metrics.csv"), "w", encoding="utf-8") as f:
        f.write("run,step,metric,value\n")
        for r, step, metric, value in rows:
            f.write(f"{r},{step},{metric},{value!r}\n")
    print(f"wrote {os.path.join(args.out, 'metrics.csv')}")


if __name__ == "__main__":
    main()
