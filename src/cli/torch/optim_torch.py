# Optimizer blocks for `export torch`: sgd, adam, adamw and adagrad through torch.optim (where its
# update is ours exactly), SAM around them, and DP-SGD and DiceSGD (per-example gradients).
# Each block, from its "# --- optimizer: NAME [NAME...] [| needs: NAME...]" line to the next,
# registers OPTIMIZERS[NAME] = make(params, hp) for its names; "needs" names blocks it builds on.
# The exporter copies into train.py only the blocks an experiment uses (and those they need). The
# updates follow the playground's float64 reference (src/engine/optim/<name>.ts cpuStep), operation
# for operation where the order matters.
import math

import numpy as np
import torch

OPTIMIZERS = {}

# --- optimizer: sgd


class SGDNesterovDampened(torch.optim.Optimizer):
    """SGD with Nesterov momentum and dampening, a combination torch.optim.SGD refuses:
    g += wd theta; b = g (first step) else mu b + (1 - tau) g; theta -= lr (g + mu b)."""

    def __init__(self, params, lr, momentum, dampening, weight_decay):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu, tau, wd, lr = group["momentum"], group["dampening"], group["weight_decay"], group["lr"]
            for p in group["params"]:
                g = p.grad.add(p, alpha=wd)
                state = self.state[p]
                if "b" not in state:
                    state["b"] = g.clone()
                else:
                    state["b"].mul_(mu).add_(g, alpha=1 - tau)
                p.add_(g.add(state["b"], alpha=mu), alpha=-lr)


def make_sgd(params, hp):
    mu, tau, wd, nesterov = hp["momentum"], hp["dampening"], hp["weightDecay"], hp["nesterov"]
    if nesterov and mu != 0 and tau != 0:
        return SGDNesterovDampened(params, hp["lr"], mu, tau, wd)
    # Nesterov has no effect without momentum (torch.optim.SGD would refuse it).
    nesterov = nesterov and mu != 0
    return torch.optim.SGD(params, lr=hp["lr"], momentum=mu, dampening=tau, weight_decay=wd, nesterov=nesterov)


OPTIMIZERS["sgd"] = make_sgd


# --- optimizer: adam


def make_adam(params, hp):
    b1, b2 = hp["betas"]
    return torch.optim.Adam(
        params,
        lr=hp["lr"],
        betas=(b1, b2),
        eps=hp["eps"],
        weight_decay=hp["weightDecay"],
        amsgrad=hp["amsgrad"],
    )


OPTIMIZERS["adam"] = make_adam


# --- optimizer: adamw


def make_adamw(params, hp):
    b1, b2 = hp["betas"]
    return torch.optim.AdamW(
        params,
        lr=hp["lr"],
        betas=(b1, b2),
        eps=hp["eps"],
        weight_decay=hp["weightDecay"],
        amsgrad=hp["amsgrad"],
    )


OPTIMIZERS["adamw"] = make_adamw


# --- optimizer: adagrad


def make_adagrad(params, hp):
    return torch.optim.Adagrad(
        params,
        lr=hp["lr"],
        lr_decay=hp["lrDecay"],
        weight_decay=hp["weightDecay"],
        initial_accumulator_value=hp["initialAccumulatorValue"],
        eps=hp["eps"],
    )


OPTIMIZERS["adagrad"] = make_adagrad


# --- optimizer: sam sam-adam | needs: sgd adam


class SAM(torch.optim.Optimizer):
    """SAM (Foret et al., "Sharpness-Aware Minimization for Efficiently Improving Generalization",
    ICLR 2021) and ASAM (Kwon et al., ICML 2021) around a base optimizer, as davda54/sam: the
    gradient g at theta gives e = rho a^2 g / (||a g|| + 1e-12) (a = |theta| if adaptive, else 1;
    the norm over all parameters); the training loop takes a second gradient of the same minibatch
    at theta + e (perturb / unperturb) and the base optimizer steps from theta with it."""

    def __init__(self, params, hp, base):
        params = list(params)
        super().__init__(params, dict(rho=hp["rho"], adaptive=hp["adaptive"]))
        self.base = base(params, hp)
        self.param_groups = self.base.param_groups  # one lr, set by the training loop
        self.rho, self.adaptive = hp["rho"], hp["adaptive"]

    def params(self):
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def perturb(self):
        scaled = [(p.abs() * p.grad if self.adaptive else p.grad) for p in self.params()]
        scale = self.rho / (math.sqrt(sum(float((s * s).sum()) for s in scaled)) + 1e-12)
        for p in self.params():
            self.state[p]["theta"] = p.clone()
            p.add_((p * p if self.adaptive else 1) * scale * p.grad)

    @torch.no_grad()
    def unperturb(self):
        for p in self.params():
            p.copy_(self.state[p]["theta"])

    def step(self):
        self.base.step()


OPTIMIZERS["sam"] = lambda params, hp: SAM(params, hp, make_sgd)
OPTIMIZERS["sam-adam"] = lambda params, hp: SAM(params, hp, make_adam)


# --- optimizer: dp-sgd dice-sgd


class DPSGD(torch.optim.Optimizer):
    """DP-SGD (Abadi et al., "Deep Learning with Differential Privacy", CCS 2016) and DiceSGD
    (Zhang, Bu, Wu & Hong, "Differentially Private SGD Without Clipping Bias: An Error-Feedback
    Approach", ICLR 2024), in batch-mean units. The training loop hands over the per-example losses
    (clip_examples): c = (1/B) sum_i g_i min(1, C / (||g_i|| + 1e-6)), norms over all parameters.
    Noise sigma C / B per coordinate: the playground's counter PRNG (stream 4, keyed by the run seed
    and the step), a Box-Muller normal per coordinate of the flat parameter vector.
    DP-SGD: theta -= lr (c + noise + wd theta). DiceSGD: v = c + min(1, C2 / (||e|| + 1e-6)) e;
    theta -= lr (v + noise); e += g - v (g the unclipped batch gradient, e starting at 0)."""

    STREAM_DP_NOISE = 4

    def __init__(self, params, hp, dice):
        super().__init__(params, dict(hp, dice=dice))
        self.t, self.clipped = 0, None

    def params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def clip_examples(self, losses):
        params, B, C = self.params(), len(losses), self.defaults["clipNorm"]
        self.clipped = [torch.zeros_like(p) for p in params]
        for i in range(B):
            grads = torch.autograd.grad(losses[i], params, retain_graph=True)
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            f = min(1.0, C / (norm + 1e-6)) / B
            for c, g in zip(self.clipped, grads):
                c.add_(g * f)
        self.batch = B

    def noise(self, n, like):
        key = rng_u32(self.defaults["runSeed"], self.STREAM_DP_NOISE, self.t)
        x = rng_u32(key, self.STREAM_DP_NOISE, np.arange(n, dtype=np.uint64))
        y = hash32(x ^ 0x2545F491)
        u1 = ((x >> 8) + 1).astype(np.float64) / 2**24
        u2 = (y >> 8).astype(np.float64) / 2**24
        z = np.sqrt(-2 * np.log(u1)) * np.cos(2 * math.pi * u2)
        return torch.from_numpy(z).to(device=like.device, dtype=like.dtype)

    @torch.no_grad()
    def step(self):
        self.t += 1
        params, hp = self.params(), self.param_groups[0]
        lr, sigma = hp["lr"], hp["noiseMultiplier"]
        std = sigma * hp["clipNorm"] / self.batch
        z = self.noise(sum(p.numel() for p in params), params[0]) if sigma != 0 else None
        if hp["dice"]:
            es = [self.state[p].setdefault("e", torch.zeros_like(p)) for p in params]
            n2 = sum(float((e * e).sum()) for e in es)
            f = min(1.0, hp["errorClipNorm"] / (math.sqrt(n2) + 1e-6))
        offset = 0
        for p, c in zip(params, self.clipped):
            noise = 0 if z is None else z[offset : offset + p.numel()].reshape(p.shape) * std
            offset += p.numel()
            if hp["dice"]:
                e = self.state[p]["e"]
                v = c + e * f
                p.sub_((v + noise) * lr)
                e.add_(p.grad).sub_(v)
            else:
                g = c + noise
                p.sub_((g + p * hp["weightDecay"] if hp["weightDecay"] != 0 else g) * lr)


OPTIMIZERS["dp-sgd"] = lambda params, hp: DPSGD(params, hp, dice=False)
OPTIMIZERS["dice-sgd"] = lambda params, hp: DPSGD(params, hp, dice=True)
