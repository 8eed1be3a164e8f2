# Optimizer blocks for `export torch` (through torch.optim where its update is ours exactly: sgd, adam, adamw, adagrad; and SAM around them).
# Each block, from its "# --- optimizer: NAME [NAME...] [| needs: NAME...]" line to the next,
# registers OPTIMIZERS[NAME] = make(params, hp) for its names; "needs" names blocks it builds on.
# The exporter copies into train.py only the blocks an experiment uses (and those they need). The
# updates follow the playground's float64 reference (src/engine/optim/<name>.ts cpuStep), operation
# for operation where the order matters.
import math

import torch

OPTIMIZERS = {}

# --- optimizer: sgd


class SGDNesterovDampened(torch.optim.Optimizer):
    """SGD with Nesterov momentum and dampening, a combination torch.optim.SGD refuses:
    g += wd theta; b = g (first step) else mu b + (1 - tau) g; theta -= lr (g + mu b)."""

    def __init__(self, params, lr, momentum, dampening, weight_decay):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay))

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
    return torch.optim.SGD(params, lr=hp["lr"], momentum=mu, dampening=tau, weight_decay=wd, nesterov=nesterov and mu != 0)


OPTIMIZERS["sgd"] = make_sgd


# --- optimizer: adam


def make_adam(params, hp):
    b1, b2 = hp["betas"]
    return torch.optim.Adam(
        params, lr=hp["lr"], betas=(b1, b2), eps=hp["eps"], weight_decay=hp["weightDecay"], amsgrad=hp["amsgrad"]
    )


OPTIMIZERS["adam"] = make_adam


# --- optimizer: adamw


def make_adamw(params, hp):
    b1, b2 = hp["betas"]
    return torch.optim.AdamW(
        params, lr=hp["lr"], betas=(b1, b2), eps=hp["eps"], weight_decay=hp["weightDecay"], amsgrad=hp["amsgrad"]
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
