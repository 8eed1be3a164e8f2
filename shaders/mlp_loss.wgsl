// Loss, accuracy and the loss gradient w.r.t. the logits, for a population. One workgroup per run:
// threads stride over the examples, then the workgroup reduces the loss sum and the number of
// correct predictions and writes them to stats[(slot * R + r) * NS + field] (accumulating over
// evaluation chunks when `accumulate` is 1). In training mode it also writes
// delta[r, b, j] = d(mean loss)/d z[r, b, j] = (d loss_b / d z_j) * invB.
// LOSS: 0 cross-entropy (softmax), 1 logistic (binary, y = 2c - 1), 2 mse (0.5 * sum_j (z_j - t_j)^2,
// one-hot t for classification; with ONE output on 2-class data the binary squared loss
// 0.5 (z - y)^2, y = 2c - 1, scored like logistic: z > 0 means class 1), 3 hinge (max(0, 1 - y z)).
// CENTRED = 1 (model.outputScale alpha): the network output is f = alpha * (F - F0) with F the
// logits and F0 = off[(r % offRuns) * offRows + row] the run's output at its initial parameters
// (uploaded once); the loss is l(f) / alpha^2, so its gradient w.r.t. F is l'(f) / alpha. Accuracy
// uses f. CENTRED = 0 reads the logits directly (off unused).

struct LossDims {
  R: u32, B: u32, outDim: u32, nClasses: u32,
  targetDim: u32, inMode: u32, idxPerRun: u32, rowOffset: u32,
  train: u32, accumulate: u32, field: u32, NS: u32,
  invB: f32, alpha: f32, lossScale: f32, gradScale: f32,
  offRows: u32, offRuns: u32, _p0: u32, _p1: u32,
}

// Bindings (d: LossDims, logits, Y, idx, delta, stats, off; step: StepInfo in group 1): MLP_LOSS_IO
// in src/engine/model/loss_gpu.ts. loss_sum, the workgroup's sum of (loss, correct) pairs, is the
// workgroupReduce snippet listed there.

override LOSS: u32 = 0u;
override CENTRED: u32 = 0u;
override WG: u32 = 256u;

fn data_row(r: u32, b: u32) -> u32 {
  if (d.inMode == 1u) {
    return idx[select(0u, r, d.idxPerRun == 1u) * d.B + b];
  }
  return d.rowOffset + b;
}

fn softplus(u: f32) -> f32 {
  return max(u, 0.0) + log(1.0 + exp(-abs(u)));
}

fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

// OUT (= d.outDim) is a constant src/engine/model/loss_gpu.ts defines (unrollWgsl), so that
// an example's outputs fit a private array: each is loaded once and each exponential computed once
// (on SwiftShader every storage load is a per-lane gather).

// Index of the largest output (lowest index on ties).
fn argmax(z: array<f32, OUT>) -> u32 {
  var best = 0u;
  var bv = z[0];
  for (var j = 1u; j < OUT; j++) {
    if (z[j] > bv) {
      bv = z[j];
      best = j;
    }
  }
  return best;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  var lsum: f32 = 0.0;
  var csum: f32 = 0.0;
  for (var b = lid.x; b < d.B; b += WG) {
    let row = data_row(r, b);
    let base = (r * d.B + b) * OUT;
    var gs = d.invB;
    // The network's outputs for example b: the logits, or alpha (F - F0) when centred.
    var z: array<f32, OUT>;
    if (CENTRED == 1u) {
      let ob = ((r % d.offRuns) * d.offRows + row) * OUT;
      gs = d.invB * d.gradScale;
      for (var j = 0u; j < OUT; j++) { z[j] = d.alpha * (logits[base + j] - off[ob + j]); }
    } else {
      for (var j = 0u; j < OUT; j++) { z[j] = logits[base + j]; }
    }
    var loss: f32 = 0.0;
    var correct = false;
    if (LOSS == 0u) {
      let c = u32(Y[row]);
      correct = argmax(z) == c;
      var m = z[0];
      for (var j = 1u; j < OUT; j++) { m = max(m, z[j]); }
      var e: array<f32, OUT>;
      var s: f32 = 0.0;
      for (var j = 0u; j < OUT; j++) {
        e[j] = exp(z[j] - m);
        s += e[j];
      }
      loss = m + log(s) - z[min(c, OUT - 1u)];
      if (d.train == 1u) {
        for (var j = 0u; j < OUT; j++) {
          delta[base + j] = (e[j] / s - select(0.0, 1.0, j == c)) * gs;
        }
      }
    } else if (LOSS == 1u || LOSS == 3u) {
      let y = 2.0 * Y[row] - 1.0;
      let zz = z[0];
      if (LOSS == 1u) {
        loss = softplus(-y * zz);
        if (d.train == 1u) { delta[base] = -y * sigmoid(-y * zz) * gs; }
      } else {
        let h = 1.0 - y * zz;
        loss = max(h, 0.0);
        if (d.train == 1u) { delta[base] = select(0.0, -y, h > 0.0) * gs; }
      }
      correct = (zz > 0.0) == (y > 0.0);
    } else if (OUT == 1u && d.nClasses == 2u) {
      // binary mse: signed target y = 2c - 1 (target margin y z = 1)
      let y = 2.0 * Y[row] - 1.0;
      let e = z[0] - y;
      loss = 0.5 * e * e;
      if (d.train == 1u) { delta[base] = e * gs; }
      correct = (z[0] > 0.0) == (y > 0.0);
    } else {
      // mse
      var c = 0u;
      if (d.nClasses > 0u) {
        c = u32(Y[row]);
        correct = argmax(z) == c;
      }
      for (var j = 0u; j < OUT; j++) {
        var t: f32;
        if (d.nClasses > 0u) {
          t = select(0.0, 1.0, j == c);
        } else {
          t = Y[row * d.targetDim + j];
        }
        let e = z[j] - t;
        loss += 0.5 * e * e;
        if (d.train == 1u) { delta[base + j] = e * gs; }
      }
    }
    if (CENTRED == 1u) {
      loss = loss * d.lossScale;
    }
    lsum += loss;
    csum += select(0.0, 1.0, correct);
  }
  let total = loss_sum(lid.x, vec2f(lsum, csum));
  if (lid.x == 0u) {
    let o = (step.slot * d.R + r) * d.NS + d.field;
    if (d.accumulate == 1u) {
      stats[o] += total.x;
      stats[o + 1u] += total.y;
    } else {
      stats[o] = total.x;
      stats[o + 1u] = total.y;
    }
  }
}
