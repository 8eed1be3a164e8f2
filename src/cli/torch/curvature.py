# ---------------------------------------------------------------------------------------------
# Curvature of the mean training loss over the first `subset` training points, measured as the
# playground's CPU backend does (Curvature.measure below: sharpness, precond_sharpness, hessian_trace and
# hessian_fro). Sharpness is the top eigenvalue of its Hessian. Hessian-vector products are
# central differences of that gradient along the unit direction, h = 1e-5 in float64 (1e-3 in
# float32, as the playground's GPU backend):
#   H v ~ |v| (g(theta + h v / |v|) - g(theta - h v / |v|)) / (2h).
# In float32 both gradients take the ReLU masks and max-pool argmaxes of theta (models.py
# PairedKinks), as the GPU backend's products do.
# Lanczos with full reorthogonalisation (classical Gram-Schmidt, a second pass when the first
# removed more than 1 - 1/sqrt(2) of the vector) runs at most `iters` products (min(iters, 32) of
# the experiment; `warmIters` or `precondWarmIters` for every estimate of a kind after its first)
# and stops when the top k Ritz pairs' residuals beta_j |y_j| are at most tol |theta| (or below
# 1e-13 of the largest |A q| seen). It starts from the run's previous top Ritz vector (with k > 1
# the signed sum of its top k), else from the probe: a Rademacher vector z_i / sqrt(P), z_i the
# sign of the counter PRNG's draw (stream 5, counter step * P + i, modulo 2^32) from the run's
# seed.
# ---------------------------------------------------------------------------------------------
STREAM_PROBE = 5
FD_STEP = {torch.float64: 1e-5, torch.float32: 1e-3}
BREAKDOWN = 1e-12
RESIDUAL_FLOOR = 1e-13


def start_probe(seed, step, P, like):
    counter = (np.uint64(step) * np.uint64(P) + np.arange(P, dtype=np.uint64)) & np.uint64(M32)
    z = np.where((rng_u32(seed, STREAM_PROBE, counter) >> 31) == 1, 1.0, -1.0) * (1 / math.sqrt(P))
    return torch.from_numpy(z).to(device=like.device, dtype=like.dtype)


def usable(v, P):
    return v is not None and v.numel() == P and bool(torch.isfinite(v).all()) and float(v.norm()) > 0


def reorthogonalise(Q, w):
    """w <- w - Q (Q^T w) (classical Gram-Schmidt), a second pass when the first removed most of
    w; returns the coefficients removed, summed over the passes."""
    Qm = torch.stack(Q)
    before, h = float(w.norm()), torch.zeros(len(Q), dtype=w.dtype, device=w.device)
    for _ in range(2):
        c = Qm @ w
        h += c
        w -= Qm.T @ c
        if float(w.norm()) > math.sqrt(0.5) * before:
            break
    return h


def fresh_direction(Q, P, probe):
    """A unit vector orthogonal to Q, to go on after an invariant subspace: the probe, else the first
    coordinate vector e_0, e_1, ... outside span(Q) (at most len(Q) + 1 of them); None if none."""

    def unit(i):
        e = torch.zeros_like(Q[0])
        e[i] = 1
        return e

    for t in [probe] + [lambda i=i: unit(i) for i in range(min(P, len(Q) + 1))]:
        v = t().clone()
        n0 = float(v.norm())
        if not usable(v, P):
            continue
        reorthogonalise(Q, v)
        reorthogonalise(Q, v)
        n = float(v.norm())
        if n > 1e-8 * n0:
            return v / n
    return None


def lanczos_top(op, P, max_iters, tol, warm, probe, k=1):
    """Top Ritz value and unit vector of the symmetric operator `op`, the top k Ritz values (the
    stop rule asks it of all k), and the next warm start of a top-k estimate: the unit sum of the k
    unit Ritz vectors, each signed so that its coordinate along the start vector is >= 0 (from the
    top vector alone, the Krylov space misses the next directions where the Hessian barely moves).
    On an invariant subspace (beta = 0) with fewer than k values, it goes on from a fresh direction
    orthogonal to the basis, as our backends (T then has a zero off-diagonal and splits into blocks)."""
    v = warm / float(warm.norm()) if usable(warm, P) else probe()
    Q = [v / float(v.norm())]
    alpha, beta, scale, top = [], [], 0.0, None
    steps = min(max_iters, P)
    for j in range(1, steps + 1):
        w = op(Q[-1]).clone()
        nw = float(w.norm())
        if not math.isfinite(nw):
            nan = torch.full_like(w, math.nan)
            return math.nan, nan, [math.nan] * k, nan
        scale = max(scale, nw)
        alpha.append(float(reorthogonalise(Q, w)[j - 1]))
        b = float(w.norm())
        T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
        vals, vecs = np.linalg.eigh(T)
        top, y = float(vals[-1]), vecs[:, -1]
        tops = [float(x) for x in vals[::-1][:k]]
        floor = RESIDUAL_FLOOR * scale
        met = len(tops) >= k and all(
            abs(b * vecs[-1, -1 - i]) <= max(tol * abs(tops[i]), floor) for i in range(len(tops))
        )
        if b <= BREAKDOWN * scale or j == P:  # an invariant subspace: T's eigenpairs are exact
            fresh = None if len(tops) >= k or j == steps else fresh_direction(Q, P, probe)
            if fresh is None:
                break
            beta.append(0.0)
            Q.append(fresh)
            continue
        if met:
            break
        if j < steps:
            beta.append(b)
            Q.append(w / b)
    def ritz_vector(y):
        u = sum(float(c) * q for c, q in zip(y, Q[: len(alpha)]))
        n = float(u.norm())
        return u / n if n > 0 else u

    signed = [vecs[:, -1 - i] * (-1.0 if vecs[0, -1 - i] < 0 else 1.0) for i in range(min(k, len(alpha)))]
    return top, ritz_vector(y), tops, ritz_vector(sum(signed))


class Curvature:
    """Curvature, oscillation and alignment rows of one run at its logged steps (config.json
    metrics.curvature: the subset, sharpness {every, iters, warmIters, precondWarmIters, tol, k}
    and trace {every, samples}, either null, or the whole of it null; metrics.alignment: the first
    layer and the two feature directions, or null)."""

    def __init__(self, cfg, data, model, scorer, seed, optimizer, hp):
        self.c = cfg["metrics"].get("curvature") or {"subset": 1, "sharpness": None, "trace": None}
        self.align = cfg["metrics"].get("alignment")
        self.model, self.scorer, self.seed, self.name, self.hp = model, scorer, seed, optimizer, hp
        n = min(len(data["x_train"]), self.c["subset"])
        self.rows = torch.arange(n, device=data["x_train"].device)
        self.x, self.y = data["x_train"][:n], data["y_train"][:n]
        self.warm = self.span = self.precond_warm = None
        self.cold = {"sharpness": True, "precond": True}  # the kind's first estimate: the full budget

    def due(self, step):
        every = lambda m: m is not None and m["every"] > 0 and step % m["every"] == 0  # noqa: E731
        return every(self.c["sharpness"]), every(self.c["trace"])

    def set(self, theta):
        with torch.no_grad():
            offset = 0
            for p in self.model.parameters():
                p.copy_(theta[offset : offset + p.numel()].reshape(p.shape))
                offset += p.numel()

    def grad(self, theta):
        self.set(theta)
        params = list(self.model.parameters())
        loss = self.scorer.losses(self.scorer.outputs(self.model, self.x, "train", self.rows), self.y).mean()
        grads = torch.autograd.grad(loss, params, allow_unused=True)
        return torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1) for p, g in zip(params, grads)])

    def kinks_at(self, x):
        """The ReLU masks and max-pool argmaxes at x (models.py PairedKinks), or None in float64."""
        if x.dtype == torch.float64:
            return None
        self.set(x)
        with torch.no_grad(), KINKS.record() as saved:
            self.scorer.outputs(self.model, self.x, "train", self.rows)
            return list(saved)

    def hvp_at(self, x, h):
        saved = self.kinks_at(x)
        fixed = (lambda: KINKS.replay(saved)) if saved is not None else contextlib.nullcontext  # noqa: E731

        def hvp(v):
            n = float(v.norm())
            if n == 0:
                return torch.zeros_like(v)
            with fixed():
                gp = self.grad(x + (h / n) * v)
            with fixed():
                gm = self.grad(x - (h / n) * v)
            return (gp - gm) * (n / (2 * h))

        return hvp

    def measure(self, step, opt, lr, prev=None, prev2=None, batch_grad=None):
        """{metric: value} at logged step `step` (lr: the scheduled lr of the step, at step 0 that of
        step 1; prev, prev2: theta one and two steps before; batch_grad: the step's minibatch
        gradient). When sharpness is due: sharpness, sharpness_threshold (thresholds below),
        grad_eig_cosine |cos(g, u)| with u the top Ritz vector (step >= 1), precond_sharpness and
        precond_threshold (step >= 1, optimizers with a diagonal preconditioner D, see
        preconditioner below: the top eigenvalue of D^-1/2 H D^-1/2 from its own warm start and the
        same probe), directional_sharpness v.H(theta_{s-1})v / |v|^2 with v = theta_s - theta_{s-1}
        (step >= 1, v != 0). When trace is due: hessian_trace and hessian_fro (Hutchinson: the mean
        of z.Hz and sqrt of the mean of |Hz|^2 over `samples` Rademacher probes, probe k's entry i
        the sign of the draw at counter (step * samples + k) * P + i). At every logged step:
        period2_distance |theta_s - theta_{s-2}| (step >= 2) and, with metrics.alignment,
        weak_alignment and strong_alignment. Non-finite values are left out."""
        sharp, trace = self.due(step)
        theta = flat(self.model.parameters())
        finite = bool(torch.isfinite(theta).all())
        P = theta.numel()
        h = FD_STEP.get(theta.dtype, 1e-3)
        hvp = self.hvp_at(theta, h)
        out = {}
        if sharp and finite:
            m = self.c["sharpness"]
            warm_iters = {"sharpness": m["warmIters"], "precond": m["precondWarmIters"]}
            budget = lambda kind: m["iters"] if self.cold.pop(kind, False) else warm_iters[kind]  # noqa: E731
            tol = min(m["tol"], 0.999)
            probe = lambda: start_probe(self.seed, step, P, theta)  # noqa: E731
            # A kind's first estimate: sharpness at its first due step (0), precond_sharpness at its
            # first due step after 0, measured or not (the playground's rule, from the schedule alone).
            iters, precond_iters = budget("sharpness"), (budget("precond") if step > 0 else None)
            k = m.get("k", 1)
            warm = self.span if k > 1 and usable(self.span, P) else self.warm
            out["sharpness"], self.warm, tops, self.span = lanczos_top(hvp, P, iters, tol, warm, probe, k)
            for i in range(1, min(k, len(tops))):
                out[f"sharpness_{i + 1}"] = tops[i]
            out["sharpness_threshold"] = thresholds(self.name, self.hp, lr)[0]
            if step > 0 and batch_grad is not None:
                ng, nu = float(batch_grad.norm()), float(self.warm.norm())
                if ng > 0 and nu > 0:
                    out["grad_eig_cosine"] = abs(float(batch_grad @ self.warm)) / (ng * nu)
            D = preconditioner(opt, self.name, self.hp, step) if step > 0 else None
            if D is not None and bool(((D > 0) & torch.isfinite(D)).all()):
                s = 1 / torch.sqrt(D)
                op = lambda u: s * hvp(s * u)  # noqa: E731
                warm = self.precond_warm
                top = lanczos_top(op, P, precond_iters, tol, warm, probe)
                out["precond_sharpness"], self.precond_warm = top[0], top[1]
                out["precond_threshold"] = thresholds(self.name, self.hp, lr)[1]
            if step > 0 and prev is not None and bool(torch.isfinite(prev).all()):
                v = theta - prev
                vv = float(v @ v)
                if vv > 0:
                    out["directional_sharpness"] = float(v @ self.hvp_at(prev, h)(v)) / vv
        if trace and finite:
            k_all = self.c["trace"]["samples"]
            t = f = 0.0
            for k in range(k_all):
                counter = (np.uint64((step * k_all + k) * P) + np.arange(P, dtype=np.uint64)) & np.uint64(M32)
                z = np.where((rng_u32(self.seed, STREAM_PROBE, counter) >> 31) == 1, 1.0, -1.0)
                z = torch.from_numpy(z).to(device=theta.device, dtype=theta.dtype)
                hz = hvp(z)
                t += float(z @ hz)
                f += float(hz @ hz)
            out["hessian_trace"], out["hessian_fro"] = t / k_all, math.sqrt(max(0.0, f / k_all))
        self.set(theta)  # the parameters back at theta
        if step >= 2 and prev2 is not None:
            out["period2_distance"] = float((theta - prev2).norm())
        if self.align is not None:
            a = self.align
            W = theta[a["offset"] : a["offset"] + a["inDim"] * a["outDim"]].reshape(a["outDim"], a["inDim"])
            norms = W.norm(dim=1)
            for key in ("weak", "strong"):
                d = torch.tensor(a[key], dtype=theta.dtype, device=theta.device)
                cos = torch.where(norms > 0, (W @ d) / torch.where(norms > 0, norms, 1), 0)
                out[key + "_alignment"] = float(cos.max())
        return {k: v for k, v in out.items() if v is not None and math.isfinite(v)}


# Stability lines at the scheduled lr, as the playground's optimizers define them (None: no line).
# Momentum SGD in PyTorch's form is stable on a quadratic of curvature below a / lr with
# a = 2 (1 + mu) / (1 - d) (heavy ball), 2 (1 + mu) / (1 + mu (2 - d)) (Nesterov), 2 / (1 - d) at
# mu = 0 (2 with Nesterov). Adam's preconditioned line (2 + 2 b1) / (lr (1 - b1)) (Cohen et al.
# 2022); NAdamW's 2 (1 + b1) / (lr (1 - b1) (1 + 2 b1)).
def momentum_sgd_threshold(lr, mu, d, nesterov):
    if not lr > 0:
        return None
    if mu == 0:
        return 2 / lr if nesterov else (2 / ((1 - d) * lr) if d < 1 else None)
    if nesterov:
        return 2 * (1 + mu) / (1 + mu * (2 - d)) / lr
    return 2 * (1 + mu) / (1 - d) / lr if d < 1 else None


ADAM_LINE = ("adam", "adamw", "adabelief", "adamp", "clipped-adam", "diffgrad")


def thresholds(name, hp, lr):
    """(sharpness_threshold, precond_threshold) of optimizer `name` at lr."""
    sharp = precond = None
    if name in ("sgd", "sgdp"):
        sharp = momentum_sgd_threshold(lr, hp["momentum"], hp["dampening"], hp["nesterov"])
    elif name == "clipped-sgd" and not hp["normalize"]:
        mu = hp["momentum"]
        sharp = momentum_sgd_threshold(lr, mu, hp["dampening"] if mu != 0 else 0, mu > 0 and hp["nesterov"])
    elif name in ("dp-sgd", "dice-sgd"):
        sharp = 2 / lr if lr > 0 else None
    b1 = hp["betas"][0] if "betas" in hp else None
    if name in ADAM_LINE and lr > 0 and b1 < 1:
        precond = (2 + 2 * b1) / (lr * (1 - b1))
    elif name == "nadamw" and lr > 0 and 0 <= b1 < 1:
        precond = 2 * (1 + b1) / (lr * (1 - b1) * (1 + 2 * b1))
    return sharp, precond


# The optimizers with a diagonal preconditioner after step t, D = scale (sqrt(vScale v) + eps), and
# where their v lives. Adam's form (bc1 = 1 - b1^t, bc2 = 1 - b2^t): scale bc1, vScale 1 / bc2,
# for Adam, AdamW (v: exp_avg_sq, max_exp_avg_sq with AMSGrad), SAM-Adam (its base Adam's),
# AdamP, AdEMAMix, NAdamW and clipped Adam (v, the unclipped second moment). diffGrad: scale
# bc1 / sqrt(bc2), vScale 1 (its xi factor left out). Schedule-Free AdamW: scale 1, vScale 1 / bc2.
# AdaBelief: s (s_max with AMSGrad), Adam's form; rectified, scale bc1 / r_t and vScale 1 once
# rho_t >= 5, before that scale bc1, vScale 0, eps 1. AdamP's projection is left out.
PRECONDITIONED = ("adam", "adamw", "sam-adam", "adamp", "ademamix", "nadamw", "clipped-adam", "diffgrad")
PRECONDITIONED += ("sf-adamw", "adabelief")


def preconditioner(opt, name, hp, t):
    if name not in PRECONDITIONED:
        return None
    (b1, b2), eps = hp["betas"][:2], hp["eps"]
    bc1, bc2 = 1 - b1**t, 1 - b2**t
    scale, v_scale, key = bc1, 1 / bc2, "v"
    if name == "sam-adam":
        opt = opt.base
    if name in ("adam", "adamw", "sam-adam"):
        key = "max_exp_avg_sq" if hp["amsgrad"] else "exp_avg_sq"
    elif name == "diffgrad":
        scale, v_scale = bc1 / math.sqrt(bc2), 1.0
    elif name == "sf-adamw":
        scale = 1.0
    elif name == "adabelief":
        key = "s_max" if hp["amsgrad"] and not hp["rectify"] else "s"
        if hp["rectify"]:
            b2t = b2**t
            rho_inf = 2 / (1 - b2) - 1
            rho = rho_inf - 2 * t * b2t / (1 - b2t)
            if rho >= 5:
                r = math.sqrt((1 - b2t) * (rho - 4) / (rho_inf - 4) * (rho - 2) / rho * (rho_inf / (rho_inf - 2)))
                scale, v_scale = bc1 / r, 1.0
            else:
                v_scale, eps = 0.0, 1.0
    params = [p for g in opt.param_groups for p in g["params"]]
    if any(key not in opt.state[p] for p in params):
        return None
    v = torch.cat([opt.state[p][key].reshape(-1) for p in params])
    return scale * (torch.sqrt(v_scale * v.clamp(min=0)) + eps)
