# ---------------------------------------------------------------------------------------------
# Curvature of the mean training loss over the first `subset` training points, measured as the
# playground's CPU backend does (Curvature.measure below: sharpness, precond_sharpness, hessian_trace and
# hessian_fro). Sharpness is the top eigenvalue of its Hessian. Hessian-vector products are
# central differences of that gradient along the unit direction, h = 1e-5 in float64 (1e-3 in
# float32, as the playground's GPU backend):
#   H v ~ |v| (g(theta + h v / |v|) - g(theta - h v / |v|)) / (2h).
# Lanczos with full reorthogonalisation (classical Gram-Schmidt, a second pass when the first
# removed more than 1 - 1/sqrt(2) of the vector) runs at most `iters` products (min(iters, 32) of
# the experiment; `warmIters` for every estimate of a kind after its first one) and stops
# when the top Ritz pair's residual beta_j |y_j| is at most tol |theta| (or below 1e-13 of the
# largest |A q| seen). It starts from the run's previous top Ritz vector, else from the probe: a
# Rademacher vector z_i / sqrt(P), z_i the sign of the counter PRNG's draw (stream 5, counter
# step * P + i, modulo 2^32) from the run's seed.
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


def lanczos_top(op, P, max_iters, tol, warm, probe):
    """Top Ritz value and unit vector of the symmetric operator `op` (k = 1)."""
    v = warm / float(warm.norm()) if usable(warm, P) else probe()
    Q = [v / float(v.norm())]
    alpha, beta, scale, top = [], [], 0.0, None
    for j in range(1, min(max_iters, P) + 1):
        w = op(Q[-1]).clone()
        nw = float(w.norm())
        if not math.isfinite(nw):
            return math.nan, torch.full_like(w, math.nan)
        scale = max(scale, nw)
        Qm = torch.stack(Q)
        before, h = nw, torch.zeros(len(Q), dtype=w.dtype, device=w.device)
        for _ in range(2):  # classical Gram-Schmidt, twice when the first pass removed most of w
            c = Qm @ w
            h += c
            w -= Qm.T @ c
            if float(w.norm()) > math.sqrt(0.5) * before:
                break
        alpha.append(float(h[j - 1]))
        b = float(w.norm())
        T = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
        vals, vecs = np.linalg.eigh(T)
        top, y = float(vals[-1]), vecs[:, -1]
        residual = abs(b * y[-1])
        if b <= BREAKDOWN * scale or j == P or residual <= max(tol * abs(top), RESIDUAL_FLOOR * scale):
            break
        if j < max_iters:
            beta.append(b)
            Q.append(w / b)
    u = sum(float(c) * q for c, q in zip(y, Q[: len(alpha)]))
    n = float(u.norm())
    return top, (u / n if n > 0 else u)


class Curvature:
    """Curvature rows of one run at its logged steps (config.json metrics.curvature: the subset,
    sharpness {every, iters, warmIters, tol} and trace {every, samples}, either null)."""

    def __init__(self, cfg, data, model, scorer, seed, optimizer):
        self.c = cfg["metrics"]["curvature"]
        self.model, self.scorer, self.seed = model, scorer, seed
        n = min(len(data["x_train"]), self.c["subset"])
        self.rows = torch.arange(n, device=data["x_train"].device)
        self.x, self.y = data["x_train"][:n], data["y_train"][:n]
        self.warm = self.precond_warm = None
        self.cold = {"sharpness": True, "precond": True}  # the kind's first estimate: the full budget
        self.precond = optimizer in ("adam", "adamw")

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

    def measure(self, step, opt):
        """{metric: value} at logged step `step`. Sharpness; precond_sharpness (step >= 1) for Adam
        and AdamW, the top eigenvalue of D^-1/2 H D^-1/2 with D the optimizer's diagonal
        preconditioner (1 - b1^t)(sqrt(v / (1 - b2^t)) + eps), v its exp_avg_sq (max_exp_avg_sq
        with AMSGrad), from its own warm start and the same probe; hessian_trace and hessian_fro
        (Hutchinson: the mean of z.Hz and sqrt of the mean of |Hz|^2 over `samples` Rademacher
        probes, probe k's entry i the sign of the draw at counter (step * samples + k) * P + i).
        Non-finite values are left out."""
        sharp, trace = self.due(step)
        theta = flat(self.model.parameters())
        if not (sharp or trace) or not bool(torch.isfinite(theta).all()):
            return {}
        P = theta.numel()
        h = FD_STEP.get(theta.dtype, 1e-3)

        def hvp(v):
            n = float(v.norm())
            if n == 0:
                return torch.zeros_like(v)
            gp, gm = self.grad(theta + (h / n) * v), self.grad(theta - (h / n) * v)
            return (gp - gm) * (n / (2 * h))

        out = {}
        if sharp:
            m = self.c["sharpness"]
            budget = lambda kind: m["iters"] if self.cold.pop(kind, False) else m["warmIters"]  # noqa: E731
            tol = min(m["tol"], 0.999)
            probe = lambda: start_probe(self.seed, step, P, theta)  # noqa: E731
            out["sharpness"], self.warm = lanczos_top(hvp, P, budget("sharpness"), tol, self.warm, probe)
            D = adam_preconditioner(opt, step) if step > 0 and self.precond else None
            if D is not None and bool(((D > 0) & torch.isfinite(D)).all()):
                s = 1 / torch.sqrt(D)
                op = lambda u: s * hvp(s * u)  # noqa: E731
                iters = budget("precond")
                out["precond_sharpness"], self.precond_warm = lanczos_top(op, P, iters, tol, self.precond_warm, probe)
        if trace:
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
        return {k: v for k, v in out.items() if math.isfinite(v)}


def adam_preconditioner(opt, t):
    """Adam's and AdamW's diagonal preconditioner after step t, from torch.optim's state."""
    g = opt.param_groups[0]
    (b1, b2), key = g["betas"], "max_exp_avg_sq" if g.get("amsgrad") else "exp_avg_sq"
    v = torch.cat([opt.state[p][key].reshape(-1) for p in g["params"]])
    return (1 - b1**t) * (torch.sqrt((1 / (1 - b2**t)) * v.clamp(min=0)) + g["eps"])
