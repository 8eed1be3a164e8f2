# ---------------------------------------------------------------------------------------------
# Models: the MLP, and the convolutional models as the playground's op list (config.json
# model.ops, resolved by the playground from the layers and the input shape). One example's
# activations are [channels, height, width]; a dense op reads them flattened in that order.
# ---------------------------------------------------------------------------------------------
class PairedKinks:
    """A finite-difference Hessian-vector product in float32 (h = 1e-3) takes gradients at
    theta +- h v, which can fall on two sides of a kink: a ReLU whose input changes sign, a
    max-pool window whose two largest values swap. The difference of the gradients then holds an
    O(1/h) term. As the playground's GPU backend, the float32 products fix both to the midpoint
    theta: `record()` runs the model at theta and keeps each ReLU's mask and each max-pool's
    argmax; under `replay(saved)` the model uses them instead of its own (in float64, h = 1e-5,
    nothing is fixed, as the CPU backend)."""

    def __init__(self):
        self.saved, self.i, self.recording = None, 0, False

    @contextlib.contextmanager
    def record(self):
        self.saved, self.i, self.recording = [], 0, True
        try:
            yield self.saved
        finally:
            self.saved, self.recording = None, False

    @contextlib.contextmanager
    def replay(self, saved):
        self.saved, self.i = saved, 0
        try:
            yield
        finally:
            self.saved = None

    def _next(self, value):
        if self.recording:
            self.saved.append(value)
            return value
        self.i += 1
        return self.saved[self.i - 1]

    def relu(self, z):
        if self.saved is None:
            return torch.relu(z)
        return z * self._next((z > 0).to(z.dtype))

    def max_pool(self, x, kernel, stride):
        if self.saved is None:
            return F.max_pool2d(x, kernel, stride)
        _, idx = F.max_pool2d(x, kernel, stride, return_indices=True)
        idx = self._next(idx)
        return x.flatten(2).gather(2, idx.flatten(2)).view(idx.shape)


KINKS = PairedKinks()

ACTIVATIONS = {
    "relu": KINKS.relu,
    "relu2": lambda z: torch.relu(z) ** 2,  # smooth at 0: its products need no fixing
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": lambda z: F.gelu(z, approximate="tanh"),  # the tanh form, as the playground
    "linear": lambda z: z,
}


class MLP(torch.nn.Module):
    """Dense layers widths[0] -> ... -> widths[-1], the activation after every layer but the last."""

    def __init__(self, widths, activation, bias):
        super().__init__()
        pairs = zip(widths[:-1], widths[1:])
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b, bias=bias) for a, b in pairs)
        self.act = ACTIVATIONS[activation]

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = self.act(x)
        return x


class CNN(torch.nn.Module):
    """The op list of a "cnn" or "patch-cnn" model, executed in order on inputs [n, C, H, W].

    conv2d: torch's Conv2d (weight [out, in, kh, kw], zero padding ph, pw on each side, stride
    sh, sw); maxpool / avgpool: windows kh x kw at stride sh, sw without padding (a max-pool's
    gradient goes to the first maximum of its window, as ours); dense: Linear on the flattened
    activations; act: the activation; patch-head (the patch CNN's fixed second layer): input
    [2m, 1, P] to sum_p (sum_{j<m} a[j, p] - sum_{j>=m} a[j, p]) / m. The parameters, in order,
    are the flat vector's: layers.<l>.weight, layers.<l>.bias, ... (the patch CNN: filters.weight).
    """

    def __init__(self, kind, in_shape, ops):
        super().__init__()
        self.in_shape, self.ops = list(in_shape), ops
        mods = []
        for op in ops:
            bias = op.get("biasOffset", -1) >= 0
            if op["op"] == "conv2d":
                k, s, p = (op["kh"], op["kw"]), (op["sh"], op["sw"]), (op["ph"], op["pw"])
                mods.append(torch.nn.Conv2d(op["inShape"][0], op["outShape"][0], k, s, p, bias=bias))
            elif op["op"] == "dense":
                mods.append(torch.nn.Linear(op["inDim"], op["outDim"], bias=bias))
        if kind == "patch-cnn":
            self.filters = mods[0]
            self.layer_of = [self.filters]
        else:
            self.layers = torch.nn.ModuleList(mods)
            self.layer_of = list(self.layers)

    def forward(self, x):
        x = x.reshape(x.shape[0], *self.in_shape)
        layers = iter(self.layer_of)
        for op in self.ops:
            kind = op["op"]
            if kind == "conv2d":
                x = next(layers)(x)
            elif kind == "dense":
                x = next(layers)(x.reshape(x.shape[0], -1))
            elif kind == "act":
                x = ACTIVATIONS[op["fn"]](x)
            elif kind == "maxpool":
                x = KINKS.max_pool(x, (op["kh"], op["kw"]), (op["sh"], op["sw"]))
            elif kind == "avgpool":
                x = F.avg_pool2d(x, (op["kh"], op["kw"]), (op["sh"], op["sw"]))
            elif kind == "patch-head":
                m = op["filters"]
                a = x.reshape(x.shape[0], 2 * m, -1)
                x = ((a[:, :m].sum(dim=(1, 2)) - a[:, m:].sum(dim=(1, 2))) / m).unsqueeze(1)
            else:
                raise ValueError(f"unknown op {kind!r}")
        return x.reshape(x.shape[0], -1)


def build_network(cfg):
    """The experiment's network from config.json."""
    m = cfg["model"]
    if m["kind"] == "mlp":
        return MLP([cfg["inputDim"], *m["hidden"], cfg["outputDim"]], m["activation"], m["bias"])
    return CNN(m["kind"], m["inShape"], m["ops"])
