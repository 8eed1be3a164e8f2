# Optimizer blocks for `export torch`, written out: adaptive methods that torch.optim lacks or
# computes differently, and Shampoo.
# Each block, from its "# --- optimizer: NAME [NAME...] [| needs: NAME...]" line to the next,
# registers OPTIMIZERS[NAME] = make(params, hp) for its names; "needs" names blocks it builds on.
# The exporter copies into train.py only the blocks an experiment uses (and those they need). The
# updates follow the playground's float64 reference (src/engine/optim/<name>.ts cpuStep), operation
# for operation where the order matters.
import math

import torch

OPTIMIZERS = {}

# --- optimizer: rmsprop


class RMSprop(torch.optim.Optimizer):
    """RMSprop (Tieleman & Hinton, Coursera lecture 6.5, 2012) as torch.optim.RMSprop, except that
    the centered variance v - a^2 is clamped at 0 (rounding could make it slightly negative):
    g += wd theta; v = alpha v + (1 - alpha) g^2; [a = alpha a + (1 - alpha) g; v~ = max(v - a^2, 0)];
    d = g / (sqrt(v~) + eps); momentum: b = mu b + d, theta -= lr b; else theta -= lr d."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            alpha, eps, wd, mu = group["alpha"], group["eps"], group["weightDecay"], group["momentum"]
            for p in group["params"]:
                g = p.grad.add(p, alpha=wd)
                state = self.state[p]
                if not state:
                    state.update(v=torch.zeros_like(p), a=torch.zeros_like(p), b=torch.zeros_like(p))
                v = state["v"].mul_(alpha).addcmul_(g, g, value=1 - alpha)
                if group["centered"]:
                    a = state["a"].mul_(alpha).add_(g, alpha=1 - alpha)
                    v = (v - a * a).clamp_(min=0)
                d = g / (v.sqrt() + eps)
                if mu > 0:
                    d = state["b"].mul_(mu).add_(d)
                p.add_(d, alpha=-group["lr"])


OPTIMIZERS["rmsprop"] = lambda params, hp: RMSprop(params, hp)


# --- optimizer: adabelief


class AdaBelief(torch.optim.Optimizer):
    """AdaBelief (Zhuang et al., "AdaBelief Optimizer", NeurIPS 2020), as adabelief_pytorch 0.2:
    m = b1 m + (1 - b1) g; s = b2 s + (1 - b2) (g - m)^2 + eps; step (lr / bc1) m / (sqrt(s / bc2) + eps),
    or with rectify (RAdam) lr r_t / bc1 m / (sqrt(s) + eps) once rho_t >= 5, before that an SGD
    step lr m / bc1 (degeneratedToSgd) or none. Weight decay decoupled (optionally fixed) or coupled."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @staticmethod
    def coefficients(group, t):
        """theta <- theta decay - (A m / (sqrt(s) B + eps) + C m) at step t."""
        (b1, b2), lr, wd = group["betas"], group["lr"], group["weightDecay"]
        decay = (1 - wd if group["fixedDecay"] else 1 - lr * wd) if group["weightDecouple"] else 1.0
        bc1 = 1 - b1**t
        if not group["rectify"]:
            return decay, lr / bc1, 1 / math.sqrt(1 - b2**t), 0.0
        b2t = b2**t
        rho_inf = 2 / (1 - b2) - 1
        rho = rho_inf - 2 * t * b2t / (1 - b2t)
        if rho >= 5:
            r = math.sqrt((1 - b2t) * (rho - 4) / (rho_inf - 4) * (rho - 2) / rho * rho_inf / (rho_inf - 2))
            return decay, lr * r / bc1, 1.0, 0.0
        return decay, 0.0, 1.0, (lr / bc1 if group["degeneratedToSgd"] else 0.0)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), eps = group["betas"], group["eps"]
            coupled = 0.0 if group["weightDecouple"] else group["weightDecay"]
            use_max = group["amsgrad"] and not group["rectify"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), s=torch.zeros_like(p), s_max=torch.zeros_like(p))
                state["t"] += 1
                decay, A, B, C = self.coefficients(group, state["t"])
                g = p.grad.add(p, alpha=coupled)
                p.mul_(decay)
                m = state["m"].mul_(b1).add_(g, alpha=1 - b1)
                res = g - m
                s = state["s"].mul_(b2).addcmul_(res, res, value=1 - b2).add_(eps)
                if use_max:
                    s = torch.maximum(state["s_max"], s, out=state["s_max"])
                delta = m * C
                if A != 0:
                    delta += m * A / (s.sqrt() * B + eps)
                p.sub_(delta)


OPTIMIZERS["adabelief"] = lambda params, hp: AdaBelief(params, hp)


# --- optimizer: nadamw


class NAdamW(torch.optim.Optimizer):
    """NAdamW (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop; the AlgoPerf
    baseline), AdamW whose step uses the look-ahead b1 m + (1 - b1) g:
    theta = theta (1 - lr wd) - (lr / bc1) (b1 m + (1 - b1) g) / (sqrt(v) / sqrt(bc2) + eps)."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr, eps = group["betas"], group["lr"], group["eps"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["t"] += 1
                t, g = state["t"], p.grad
                m = state["m"].mul_(b1).add_(g, alpha=1 - b1)
                v = state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                ahead = m * b1 + g * (1 - b1)
                denom = v.sqrt() / math.sqrt(1 - b2**t) + eps
                p.mul_(1 - lr * group["weightDecay"]).sub_(ahead * (lr / (1 - b1**t)) / denom)


OPTIMIZERS["nadamw"] = lambda params, hp: NAdamW(params, hp)


# --- optimizer: diffgrad


class DiffGrad(torch.optim.Optimizer):
    """diffGrad v2 (Dubey et al., "diffGrad: An Optimization Method for Convolutional Neural
    Networks", IEEE TNNLS 2019): Adam with each coordinate's step scaled by the friction
    xi = sigmoid(|g_prev - g|): theta -= lr sqrt(bc2) / bc1 xi m / (sqrt(v) + eps)."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr, eps = group["betas"], group["lr"], group["eps"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p), prev=torch.zeros_like(p))
                state["t"] += 1
                t = state["t"]
                g = p.grad.add(p, alpha=group["weightDecay"])
                m = state["m"].mul_(b1).add_(g, alpha=1 - b1)
                v = state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                xi = torch.sigmoid((state["prev"] - g).abs())
                state["prev"].copy_(g)
                step = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
                p.sub_(xi * m * step / (v.sqrt() + eps))


OPTIMIZERS["diffgrad"] = lambda params, hp: DiffGrad(params, hp)


# --- optimizer: ademamix


class AdEMAMix(torch.optim.Optimizer):
    """AdEMAMix (Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster, Older", 2024),
    as apple/ml-ademamix: Adam whose numerator adds a slow EMA m2 (beta3, weight alpha, not
    bias-corrected) to the fast one: theta -= lr ((m1 / bc1 + alpha m2) / (sqrt(v / bc2) + eps) + wd theta).
    Optional linear warm-ups of alpha and of beta3 (linear in the slow EMA's half-life)."""

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))

    @staticmethod
    def beta3_alpha(group, t):
        b1, b3, alpha = group["betas"][0], group["beta3"], group["alpha"]
        if group["alphaWarmup"] > 0 and t < group["alphaWarmup"]:
            alpha = t / group["alphaWarmup"] * alpha
        if group["beta3Warmup"] > 0 and t < group["beta3Warmup"]:
            half_life = lambda b: math.log(0.5) / math.log(b + 1e-8) - 1  # noqa: E731
            a = t / group["beta3Warmup"]
            b3 = math.pow(0.5, 1 / ((1 - a) * half_life(b1) + a * half_life(b3) + 1))
        return b3, alpha

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr, eps, wd = group["betas"], group["lr"], group["eps"], group["weightDecay"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state.update(t=0, m1=torch.zeros_like(p), m2=torch.zeros_like(p), v=torch.zeros_like(p))
                state["t"] += 1
                t, g = state["t"], p.grad
                b3, alpha = self.beta3_alpha(group, t)
                m1 = state["m1"].mul_(b1).add_(g, alpha=1 - b1)
                m2 = state["m2"].mul_(b3).add_(g, alpha=1 - b3)
                v = state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                u = (m1 / (1 - b1**t) + m2 * alpha) / (v.sqrt() / math.sqrt(1 - b2**t) + eps) + p * wd
                p.sub_(u * lr)


OPTIMIZERS["ademamix"] = lambda params, hp: AdEMAMix(params, hp)


# --- optimizer: adamp sgdp


class AdamPSGDP(torch.optim.Optimizer):
    """AdamP and SGDP (Heo et al., "AdamP: Slowing Down the Slowdown for Momentum Optimizers on
    Scale-invariant Weights", ICLR 2021; clovaai/AdamP): Adam / SGD whose update u of a weight
    matrix loses its component along the weight when the gradient is nearly orthogonal to it
    (max row cosine < delta / sqrt(row length), else the whole-tensor cosine < delta / sqrt(size));
    the decoupled weight decay of a projected tensor is scaled by wdRatio."""

    def __init__(self, params, hp, kind):
        super().__init__(params, dict(hp, kind=kind))

    @staticmethod
    def project(p, g, u, delta, eps):
        """(u projected, True) when a view fires, else (u, False); the cosines use the raw gradient."""
        P, G, U = p.reshape(p.shape[0], -1), g.reshape(p.shape[0], -1), u.reshape(p.shape[0], -1)
        gp, gg, pp = (G * P).sum(1), (G * G).sum(1), (P * P).sum(1)
        cos = gp.abs() / (gg.sqrt().clamp(min=eps) * pp.sqrt().clamp(min=eps))
        if float(cos.max()) < delta / math.sqrt(P.shape[1]):  # channel view: each row
            unit = P / (pp.sqrt() + eps).unsqueeze(1)
            return (U - unit * (unit * U).sum(1, keepdim=True)).reshape(p.shape), True
        GP, GG, PP = float(gp.sum()), float(gg.sum()), float(pp.sum())
        if abs(GP) / (max(math.sqrt(GG), eps) * max(math.sqrt(PP), eps)) < delta / math.sqrt(p.numel()):
            unit = p / (math.sqrt(PP) + eps)  # layer view: the whole tensor
            return u - unit * (unit * u).sum(), True
        return u, False

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd, eps, nesterov = group["lr"], group["weightDecay"], group["eps"], group["nesterov"]
            for p in group["params"]:
                state, g = self.state[p], p.grad
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["t"] += 1
                if group["kind"] == "adamp":
                    b1, b2 = group["betas"]
                    m = state["m"].mul_(b1).add_(g, alpha=1 - b1)
                    v = state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
                    denom = v.sqrt() / math.sqrt(1 - b2 ** state["t"]) + eps
                    u = (m * b1 + g * (1 - b1)) / denom if nesterov else m / denom
                    step_size = lr / (1 - b1 ** state["t"])
                else:  # sgdp: the buffer starts at zero
                    mu = group["momentum"]
                    buf = state["m"].mul_(mu).add_(g, alpha=1 - group["dampening"])
                    u = g + buf * mu if nesterov else buf.clone()
                    step_size = lr
                factor = 1.0
                if p.dim() > 1:
                    u, projected = self.project(p, g, u, group["delta"], eps)
                    factor = group["wdRatio"] if projected else 1.0
                if wd > 0:
                    if group["kind"] == "adamp":
                        p.mul_(1 - lr * wd * factor)
                    else:
                        p.mul_(1 - lr * wd * factor / (1 - group["momentum"]))
                p.sub_(u, alpha=step_size)


OPTIMIZERS["adamp"] = lambda params, hp: AdamPSGDP(params, hp, "adamp")
OPTIMIZERS["sgdp"] = lambda params, hp: AdamPSGDP(params, hp, "sgdp")


# --- optimizer: shampoo


class Shampoo(torch.optim.Optimizer):
    """Shampoo (Gupta, Koren & Singer, "Shampoo: Preconditioned Stochastic Tensor Optimization",
    ICML 2018) with grafting, in the form of the playground (after facebookresearch/optimizers'
    distributed Shampoo). A weight [out, ...] is the matrix G [out, size / out]; its factors
    L = beta2 L + w G G^T and R = beta2 R + w G^T G (sides above 256 get none) are bias-corrected
    and refreshed every preconditionFrequency steps as (A + epsilon ||A||_F I)^(-1/4) by
    eigendecomposition. The step is L^-1/4 m_hat R^-1/4 rescaled to the norm of the grafting
    direction d = m_hat / (sqrt(v_hat) + graftingEpsilon) (Adam, or AdaGrad); other tensors take d.
    theta = theta (1 - lr wd) - lr step."""

    MAX_DIM = 256

    def __init__(self, params, hp):
        super().__init__(params, dict(hp))
        self.t = 0

    @staticmethod
    def inverse_fourth_root(A, epsilon):
        ss = float((A * A).sum())
        if not ss > 0:
            return None  # a factor still zero keeps its root
        delta = epsilon * math.sqrt(ss)
        values, vectors = torch.linalg.eigh(A + delta * torch.eye(len(A), dtype=A.dtype, device=A.device))
        lowest = float(values[0])
        w = (values + (delta - lowest if lowest < delta else 0.0)) ** -0.25
        return (vectors * w) @ vectors.T

    @torch.no_grad()
    def step(self):
        self.t += 1
        t = self.t
        for group in self.param_groups:
            lr, b1, b2 = group["lr"], group["beta1"], group["beta2"]
            freq, start = group["preconditionFrequency"], group["startPreconditioningStep"]
            start = freq if start == -1 else start
            bc, adagrad = group["useBiasCorrection"], group["adagradGrafting"]
            inv_bc1 = 1 / (1 - b1**t) if bc else 1
            graft_scale = 1 if adagrad else 1 / (1 - group["graftingBeta2"] ** t)
            factor_scale = 1 / (1 - b2**t) if bc and b2 < 1 else 1
            refresh = (t % freq == 0 and t > start) or t == start
            gb2, gw = (1, 1) if adagrad else (group["graftingBeta2"], 1 - group["graftingBeta2"])
            fw = 1 if b2 == 1 else 1 - b2
            for p in group["params"]:
                state, g = self.state[p], p.grad
                if not state:
                    state.update(m=torch.zeros_like(p), v=torch.zeros_like(p))
                    if p.dim() >= 2:
                        for side, n in (("L", p.shape[0]), ("R", p.numel() // p.shape[0])):
                            if n <= self.MAX_DIM:
                                state[side] = torch.zeros(n, n, dtype=p.dtype, device=p.device)
                                state[side + "root"] = torch.eye(n, dtype=p.dtype, device=p.device)
                G = g.reshape(p.shape[0], -1) if p.dim() >= 2 else None
                for side in ("L", "R"):
                    if side not in state:
                        continue
                    state[side].mul_(b2).add_((G @ G.T if side == "L" else G.T @ G) * fw)
                    if refresh:
                        X = self.inverse_fourth_root(state[side] * factor_scale, group["epsilon"])
                        if X is not None:
                            state[side + "root"] = X
                m = state["m"].mul_(b1).add_(g * (1 - b1))
                v = state["v"].mul_(gb2).add_(g * gw * g)
                mhat = m * inv_bc1
                d = mhat / ((v * graft_scale).sqrt() + group["graftingEpsilon"])
                if ("L" in state or "R" in state) and t >= start:
                    S = mhat.reshape(p.shape[0], -1)
                    S = state["Lroot"] @ S if "L" in state else S
                    S = S @ state["Rroot"] if "R" in state else S
                    d = S.reshape(p.shape) * (float(d.norm()) / (float(S.norm()) + 1e-16))
                p.mul_(1 - lr * group["weightDecay"]).sub_(d * lr)


OPTIMIZERS["shampoo"] = lambda params, hp: Shampoo(params, hp)
