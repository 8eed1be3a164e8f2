# Optimizer blocks for `export torch`, written out: sign methods, SGD-SaI, Schedule-Free, Muon,
# coordinate clipping and FRUGAL.
# Each block, from its "# --- optimizer: NAME [NAME...] [| needs: NAME...]" line to the next,
# registers OPTIMIZERS[NAME] = make(params, hp) for its names; "needs" names blocks it builds on.
# The exporter copies into train.py only the blocks an experiment uses (and those they need). The
# updates follow the playground's float64 reference (src/engine/optim/<name>.ts cpuStep), operation
# for operation where the order matters.
import contextlib
import math

import numpy as np
import torch

OPTIMIZERS = {}

# --- optimizer: lion


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", arXiv:2302.06675),
    as google/automl lion_pytorch.py: theta *= 1 - lr wd; theta -= lr sign(b1 m + (1 - b1) g);
    m = b2 m + (1 - b2) g."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr, wd = group["betas"], group["lr"], group["weightDecay"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state["m"] = torch.zeros_like(p)
                m, g = state["m"], p.grad
                p.mul_(1 - lr * wd)
                p.add_(torch.sign(m * b1 + g * (1 - b1)), alpha=-lr)
                m.mul_(b2).add_(g, alpha=1 - b2)


OPTIMIZERS["lion"] = lambda params, hp: Lion(params, hp)


# --- optimizer: signsgd


class SignSGD(torch.optim.Optimizer):
    """signSGD / Signum (Bernstein et al., "signSGD: Compressed Optimisation for Non-Convex
    Problems", ICML 2018): d = g + wd theta; with momentum beta > 0, d = m = beta m + (1 - beta) d;
    theta -= lr sign(d) (sign(0) = 0)."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta, wd = group["momentum"], group["weightDecay"]
            for p in group["params"]:
                d = p.grad.add(p, alpha=wd)
                if beta > 0:
                    state = self.state[p]
                    if not state:
                        state["m"] = torch.zeros_like(p)
                    d = state["m"].mul_(beta).add_(d, alpha=1 - beta)
                p.add_(torch.sign(d), alpha=-group["lr"])


OPTIMIZERS["signsgd"] = lambda params, hp: SignSGD(params, hp)


# --- optimizer: sgd-sai


class SGDSaI(torch.optim.Optimizer):
    """SGD-SaI (Xu et al., "No More Adam: Learning Rate Scaling at Initialization is All You Need",
    arXiv:2412.11768): EMA-momentum SGD whose lr per tensor is scaled by its gradient
    signal-to-noise ratio at step 1, gsnr = ||g_1|| / (std(g_1) + eps) (unbiased std), frozen after;
    one-element tensors get gsnr 1 unless `faithful`; `normalizeGsnr` divides by the largest gsnr.
    b = g (step 1 or momentum 0) else mu b + (1 - mu) g; theta = theta (1 - lr wd) - lr gsnr b."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        params = [p for group in self.param_groups for p in group["params"]]
        if self.t == 1:
            for group in self.param_groups:
                for p in group["params"]:
                    g = p.grad.reshape(-1)
                    if g.numel() == 1 and not group["faithful"]:
                        gsnr = 1.0
                    else:
                        std = float(g.std()) if g.numel() > 1 else 0.0
                        gsnr = float(g.norm()) / (std + group["eps"])
                    self.state[p]["gsnr"] = gsnr
            top = max(0.0, *(self.state[p]["gsnr"] for p in params))
            for p in params:
                s = self.state[p]
                if self.defaults["normalizeGsnr"]:
                    s["scale"] = s["gsnr"] / top if top > 0 else 0.0
                else:
                    s["scale"] = s["gsnr"]
        for group in self.param_groups:
            mu, lr = group["momentum"], group["lr"]
            for p in group["params"]:
                state = self.state[p]
                if self.t == 1 or mu == 0:
                    state["b"] = p.grad.clone()
                else:
                    state["b"].mul_(mu).add_(p.grad, alpha=1 - mu)
                p.mul_(1 - lr * group["weightDecay"]).sub_(state["b"], alpha=lr * state["scale"])


OPTIMIZERS["sgd-sai"] = lambda params, hp: SGDSaI(params, hp)


# --- optimizer: sf-sgd sf-adamw


class ScheduleFree(torch.optim.Optimizer):
    """Schedule-Free SGD and AdamW (Defazio et al., "The Road Less Scheduled", NeurIPS 2024;
    facebookresearch/schedule_free). The parameters hold the average x (what is evaluated, as the
    reference's eval mode) and the state d = z - x. The gradient is taken at y = x + (1 - beta1) d
    (gradient_point); then gn = g (SGD) or g / (sqrt(v / bc2) + eps) (AdamW), plus wd y;
    e = d - lr_t gn; x += c_t e; d = (1 - c_t) e, with c_t = w_t / sum_{j <= t} w_j,
    w_t = t^r min(1, t / warmupSteps)^weightLrPower and lr_t warmed up linearly over warmupSteps."""

    def __init__(self, params, hp, adam):
        super().__init__(params, dict(hp, adam=adam))
        self.t, self.weight_sum = 0, 0.0

    def beta1(self, group):
        return group["betas"][0] if group["adam"] else group["momentum"]

    @contextlib.contextmanager
    def gradient_point(self):
        saved = []
        with torch.no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    d = self.state[p].setdefault("d", torch.zeros_like(p))
                    saved.append((p, p.clone()))
                    p.add_(d, alpha=1 - self.beta1(group))
        yield
        with torch.no_grad():
            for p, x in saved:
                p.copy_(x)

    @torch.no_grad()
    def step(self):
        self.t += 1
        t, g0 = self.t, self.param_groups[0]
        warm = g0["warmupSteps"]
        weight = t ** g0["r"] * (min(1, t / warm) if warm > 0 else 1) ** g0["weightLrPower"]
        self.weight_sum += weight
        c = weight / self.weight_sum if self.weight_sum > 0 else 0.0
        for group in self.param_groups:
            lr_t = group["lr"] * t / warm if warm > 0 and t < warm else group["lr"]
            k = 1 - self.beta1(group)
            for p in group["params"]:
                state = self.state[p]
                d = state.setdefault("d", torch.zeros_like(p))
                y = p + d * k
                gn = p.grad
                if group["adam"]:
                    b2 = group["betas"][1]
                    v = state.setdefault("v", torch.zeros_like(p))
                    v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                    gn = gn / (v.sqrt() / math.sqrt(1 - b2**t) + group["eps"])
                e = d - (gn + y * group["weightDecay"]) * lr_t
                p.add_(e, alpha=c)
                d.copy_(e * (1 - c))


OPTIMIZERS["sf-sgd"] = lambda params, hp: ScheduleFree(params, hp, adam=False)
OPTIMIZERS["sf-adamw"] = lambda params, hp: ScheduleFree(params, hp, adam=True)


# --- optimizer: muon


class Muon(torch.optim.Optimizer):
    """Muon (Jordan et al., "Muon: An optimizer for hidden layers in neural networks", 2024;
    KellerJordan/Muon, SingleDeviceMuonWithAuxAdam), in float64 rather than bfloat16. Each weight
    matrix [out, in]: m = mu m + (1 - mu) g; u = mu m + (1 - mu) g (Nesterov) or m; X = u (transposed
    if tall) / (||u||_F + 1e-7), then nsSteps times X = a X + (b A + c A A) X with A = X X^T;
    theta = theta (1 - lr wd) - lr sqrt(max(1, out / in)) X. Biases, and with adamFirstLast the
    first and last weight matrices, take AdamW steps at adamLr (scheduled like lr)."""

    NS_COEFFS = (3.4445, -4.775, 2.0315)

    def __init__(self, params, hp):
        params = list(params)
        super().__init__(params, dict(hp))
        mats = [p for p in params if p.dim() >= 2]
        ends = {id(mats[0]), id(mats[-1])} if mats else set()
        for p in params:
            self.state[p]["muon"] = p.dim() >= 2 and not (hp["adamFirstLast"] and id(p) in ends)

    @classmethod
    def newton_schulz(cls, u, steps):
        a, b, c = cls.NS_COEFFS
        tall = u.shape[0] > u.shape[1]
        x = u.T if tall else u
        x = x / (x.norm() + 1e-7)
        for _ in range(steps):
            A = x @ x.T
            x = a * x + (b * A + c * (A @ A)) @ x
        return x.T if tall else x

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mu = group["lr"], group["momentum"]
            b1, b2 = group["adamBetas"]
            alr = group["adamLr"] * lr / group["peakLr"] if group["peakLr"] != 0 else math.nan
            for p in group["params"]:
                state, g = self.state[p], p.grad
                state["t"] = state.get("t", 0) + 1
                if state["muon"]:
                    m = state.setdefault("m", torch.zeros_like(p)).mul_(mu).add_(g, alpha=1 - mu)
                    u = m * mu + g * (1 - mu) if group["nesterov"] else m
                    rows = p.shape[0]
                    o = self.newton_schulz(u.reshape(rows, -1), group["nsSteps"]).reshape(p.shape)
                    scale = math.sqrt(max(1, rows / (p.numel() // rows)))
                    p.mul_(1 - lr * group["weightDecay"]).sub_(o * scale, alpha=lr)
                else:  # AdamW
                    t = state["t"]
                    m = state.setdefault("m", torch.zeros_like(p)).mul_(b1).add_(g, alpha=1 - b1)
                    v = state.setdefault("v", torch.zeros_like(p)).mul_(b2).addcmul_(g, g, value=1 - b2)
                    denom = v.sqrt() * (1 / math.sqrt(1 - b2**t)) + group["adamEps"]
                    p.mul_(1 - alr * group["adamWeightDecay"]).sub_(m * (alr / (1 - b1**t)) / denom)


OPTIMIZERS["muon"] = lambda params, hp: Muon(params, dict(hp, peakLr=hp["lr"]))


# --- optimizer: clipped-sgd clipped-adam


class CoordinateClipped(torch.optim.Optimizer):
    """Coordinate-clipped SGD and Adam (Pan & Li, "Toward Understanding Why Adam Converges Faster
    Than SGD for Transformers", 2023; panyan7/adam-vs-sgd): over all N parameters,
    tau = thresholdScale x the (floor(N c) + 1)-th largest |a| (c = clipFraction rounded up to
    float32; c = 0: no clipping, c = 1: tau = 0), and a -> sign(a) min(|a|, tau).
    SGD: a = g, optionally normalised per tensor (a sqrt(numel) / ||a||), then g + wd theta with
    torch.optim.SGD's momentum. Adam: a = g + wd theta; m takes clip(a), v takes a^2."""

    def __init__(self, params, hp, adam):
        super().__init__(params, dict(hp, adam=adam))
        self.t = 0

    @staticmethod
    def threshold(a, c, scale):
        if not c > 0:
            return math.inf
        c32 = np.float32(c)
        if float(c32) < c:  # the smallest float32 >= c
            c32 = np.nextafter(c32, np.float32(2))
        n = a.numel()
        k = math.floor(n * float(c32))
        if c >= 1 or k >= n:
            return 0.0
        return float(a.abs().sort().values[n - 1 - k]) * scale

    @staticmethod
    def clip(a, tau):
        return torch.where(a.abs() <= tau, a, torch.sign(a) * tau)

    @torch.no_grad()
    def step(self):
        self.t += 1
        group = self.param_groups[0]
        params = [p for g in self.param_groups for p in g["params"]]
        lr, wd, t = group["lr"], group["weightDecay"], self.t
        if group["adam"]:
            a = [p.grad + p * wd for p in params]
        else:
            a = [p.grad for p in params]
        flat_a = torch.cat([x.reshape(-1) for x in a])
        tau = self.threshold(flat_a, group["clipFraction"], group["thresholdScale"])
        for p, ap in zip(params, a):
            state, d = self.state[p], self.clip(ap, tau)
            if group["adam"]:
                b1, b2 = group["betas"]
                m = state.setdefault("m", torch.zeros_like(p)).mul_(b1).add_(d, alpha=1 - b1)
                v = state.setdefault("v", torch.zeros_like(p)).mul_(b2).addcmul_(ap, ap, value=1 - b2)
                p.sub_(m * (lr / (1 - b1**t)) / (v.sqrt() / math.sqrt(1 - b2**t) + group["eps"]))
                continue
            if group["normalize"]:
                n2 = float((d * d).sum())
                d = d * (math.sqrt(d.numel()) / math.sqrt(n2) if n2 > 0 else 0.0)
            d = d + p * wd
            mu = group["momentum"]
            if mu != 0:
                if t == 1:
                    state["b"] = d.clone()
                else:
                    state["b"].mul_(mu).add_(d, alpha=1 - group["dampening"])
                d = d + state["b"] * mu if group["nesterov"] else state["b"]
            p.sub_(d, alpha=lr)


OPTIMIZERS["clipped-sgd"] = lambda params, hp: CoordinateClipped(params, hp, adam=False)
OPTIMIZERS["clipped-adam"] = lambda params, hp: CoordinateClipped(params, hp, adam=True)


# --- optimizer: frugal


class Frugal(torch.optim.Optimizer):
    """FRUGAL(AdamW, signSGD) (Zmushko et al., "FRUGAL: Memory-Efficient Optimization by Reducing
    State Overhead for Scalable Training", ICML 2025): in each period of updateGap steps a random
    set of each weight's columns (or coordinates) takes AdamW steps, the rest state-free signSGD
    steps at lr x inactiveLrScale; biases always AdamW; decoupled decay everywhere. The draw is the
    playground's counter PRNG (stream 6, keyed by the run seed and the period): exactCount takes the
    floor(units x density) units with the smallest hashes, else each unit with probability density.
    resetAtDraw zeroes every weight's moments and step counts at each draw."""

    STREAM_MASK = 6

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))
        self.t = 0

    def active(self, p, offset, key, group):
        """The AdamW mask of weight p (flat offset `offset` in the run's parameter vector)."""
        columns = group["columns"]
        units = p.shape[1] if columns else p.numel()
        h = rng_u32(key, self.STREAM_MASK, np.arange(offset, offset + units, dtype=np.uint64))
        if group["exactCount"]:
            chosen = np.zeros(units, dtype=bool)
            chosen[np.lexsort((np.arange(units), h))[: math.floor(units * group["density"])]] = True
        else:
            chosen = (h >> 8) < math.floor(group["density"] * 2**24 + 0.5)
        mask = torch.from_numpy(chosen).to(p.device)
        if not columns:
            return mask.reshape(p.shape)
        return mask.reshape(1, units, *([1] * (p.dim() - 2))).expand(p.shape)

    @torch.no_grad()
    def step(self):
        self.t += 1
        t = self.t
        for group in self.param_groups:
            (b1, b2), lr, eps, gap = group["betas"], group["lr"], group["eps"], group["updateGap"]
            key = rng_u32(group["runSeed"], self.STREAM_MASK, (t - 1) // gap)
            fresh = group["resetAtDraw"] and (t - 1) % gap == 0
            offset = 0
            for p in group["params"]:
                state, g = self.state[p], p.grad
                if not state:
                    state.update(m=torch.zeros_like(p), v=torch.zeros_like(p), n=torch.zeros_like(p))
                m, v, n = state["m"], state["v"], state["n"]
                p.mul_(1 - lr * group["weightDecay"])
                weight = p.dim() >= 2
                if weight and fresh:
                    for s in (m, v, n):
                        s.zero_()
                on = self.active(p, offset, key, group) if weight else torch.ones_like(p, dtype=torch.bool)
                offset += p.numel()
                n.add_(on.to(p.dtype))
                m.copy_(torch.where(on, m * b1 + g * (1 - b1), torch.zeros_like(m)))
                v.copy_(torch.where(on, v * b2 + g * g * (1 - b2), torch.zeros_like(v)))
                n.mul_(on.to(p.dtype))
                bc1, bc2 = 1 - torch.pow(b1, n), 1 - torch.pow(b2, n)
                adam = (lr / bc1) * m / (v.sqrt() / bc2.sqrt() + eps)
                p.sub_(torch.where(on, adam, torch.sign(g) * (lr * group["inactiveLrScale"])))


OPTIMIZERS["frugal"] = lambda params, hp: Frugal(params, hp)
