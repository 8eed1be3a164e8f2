// The last layer of a training step in one dispatch, for softmax cross-entropy: the layer's forward
// (logits), the loss and its gradient, the layer's weight and bias gradients and the previous
// layer's delta. It replaces mlp_forward (last layer), mlp_loss (train) and mlp_backward (last layer)
// when src/engine/model/mlp_gpu.ts says it applies (cross-entropy, no output centring, no
// per-example clipping, at most 8 outputs, a CPU-backed adapter: see tailPlan there).
// One workgroup per run r, NB threads; thread t owns examples b = t*TB .. t*TB + TB - 1 (the last
// thread's tile clamps its loads to row B - 1 and those rows count for nothing). Per thread:
//   z[b, j]      = bias[j] + sum_k W[j, k] * in[b, k]            (k in order, as mlp_forward)
//   loss, correct and dz[b, j] = (softmax(z)_j - [j == c]) / B    (as mlp_loss)
//   deltaPrev[b, k] = act'(zPrev[b, k]) * sum_j dz[b, j] * W[j, k] (j in order, as mlp_backward)
//   and partial sums over its own examples of dz[b, j] * in[b, k] and dz[b, j];
// then the workgroup adds the threads' partials in thread order: grads of W and bias, and the
// run's loss sum and correct count into its stats record (field FIELD of the step's slot).
// Template for src/engine/webgpu/unroll.ts: TB (examples per thread) and TJ (= OUT) are tile sizes;
// IN_MODE (1 minibatch rows idx[r' * B + b], 2 full batch rows b), NB, WP, PART_FLOATS, GRAD_LEN
// and PREV_LEN are defines; PREV_IS_IN says act' reads the layer's input itself (ReLU hidden layers
// keep only A, and act'(Z) = [A > 0]: mlp_gpu.ts), so the value just loaded serves. Needs the
// ACTIVATIONS snippet in front (act_grad).
// Bindings (o: Offsets, params, inActs, zPrev, Y, idx, grads, deltaPrev, stats; step: StepInfo in
// group 1): MLP_TAIL_IO in src/engine/model/tail_gpu.ts.

struct Offsets { P: u32, wOff: u32, bOff: u32, rowOffset: u32 }

override R: u32 = 1u;
override B: u32 = 1u;
override IN: u32 = 1u;
override IDX_PER_RUN: bool = false;
override HAS_BIAS: bool = true;
override INV_B: f32 = 1.0;
override NS: u32 = 1u;
override FIELD: u32 = 0u;

// Per thread: WP = TJ * IN weight-gradient partials; then TJ bias partials per thread; then 2
// stats per thread (PART_FLOATS = NB * (WP + TJ + 2)).
var<workgroup> part: array<f32, PART_FLOATS>;

fn data_row(r: u32, b: u32) -> u32 {
//#if IN_MODE == 1
  return idx[select(0u, r, IDX_PER_RUN) * B + b];
//#else
  return o.rowOffset + b;
//#endif
}

fn bias(r: u32, j: u32) -> f32 {
  if (HAS_BIAS) {
    return params[r * o.P + o.bOff + j];
  }
  return 0.0;
}

@compute @workgroup_size(NB)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let r = wid.x;
  let t = lid.x;
  let b0 = t * TB;
  let wBase = r * o.P + o.wOff;
  //#each u<TB: let x{u} = (r * B + min(b0 + {u}u, B - 1u)) * IN;
  //#each v<TJ: let c{v} = bias(r, {v}u);
  //#each u<TB, v<TJ: var z{u}_{v} = c{v};
  for (var k: u32 = 0u; k < IN; k++) {
    //#each v<TJ: let pw{v} = params[wBase + {v}u * IN + k];
    //#each u<TB: let px{u} = inActs[x{u} + k];
    //#each u<TB, v<TJ: z{u}_{v} += pw{v} * px{u};
  }
  // Loss and dz per example (rows past B: dz = 0, nothing counted).
  var zs: array<array<f32, TJ>, TB>;
  //#each u<TB, v<TJ: zs[{u}][{v}] = z{u}_{v};
  var dz: array<array<f32, TJ>, TB>;
  var lsum: f32 = 0.0;
  var csum: f32 = 0.0;
  for (var u = 0u; u < TB; u++) {
    let b = b0 + u;
    if (b < B) {
      let c = u32(Y[data_row(r, b)]);
      var m = zs[u][0];
      var best = 0u;
      for (var j = 1u; j < TJ; j++) {
        if (zs[u][j] > m) {
          m = zs[u][j];
          best = j;
        }
      }
      var e: array<f32, TJ>;
      var s: f32 = 0.0;
      for (var j = 0u; j < TJ; j++) {
        e[j] = exp(zs[u][j] - m);
        s += e[j];
      }
      lsum += m + log(s) - zs[u][min(c, TJ - 1u)];
      csum += select(0.0, 1.0, best == c);
      for (var j = 0u; j < TJ; j++) {
        dz[u][j] = (e[j] / s - select(0.0, 1.0, j == c)) * INV_B;
      }
    } else {
      for (var j = 0u; j < TJ; j++) {
        dz[u][j] = 0.0;
      }
    }
  }
  //#each u<TB, v<TJ: let d{u}_{v} = dz[{u}][{v}];
  // Previous delta, and this thread's weight-gradient partials, one input k at a time.
  for (var k: u32 = 0u; k < IN; k++) {
    //#each v<TJ: let pw{v} = params[wBase + {v}u * IN + k];
    //#each u<TB: let px{u} = inActs[x{u} + k];
    //#each u<TB: var s{u}: f32 = 0.0;
    //#each u<TB, v<TJ: s{u} += d{u}_{v} * pw{v};
//#if PREV_IS_IN
    //#each u<TB: if (b0 + {u}u < B) { deltaPrev[x{u} + k] = s{u} * act_grad(px{u}); }
//#else
    //#each u<TB: if (b0 + {u}u < B) { let m = x{u} + k; deltaPrev[m] = s{u} * act_grad(zPrev[m]); }
//#endif
    //#each v<TJ: var g{v}: f32 = 0.0;
    //#each v<TJ, u<TB: g{v} += d{u}_{v} * px{u};
    //#each v<TJ: part[t * WP + {v}u * IN + k] = g{v};
  }
  //#each v<TJ: var gb{v}: f32 = 0.0;
  //#each v<TJ, u<TB: gb{v} += d{u}_{v};
  //#each v<TJ: part[NB * WP + t * TJ + {v}u] = gb{v};
  part[NB * (WP + TJ) + 2u * t] = lsum;
  part[NB * (WP + TJ) + 2u * t + 1u] = csum;
  workgroupBarrier();
  // Column q = j * IN + k of W (its layout in the parameters), summed over the threads in order.
  // These sums stay hand-written, not workgroupReduce (kernel_io.ts): they run over the threads
  // sequentially (((p0 + p1) + p2) + ...), not as a tree, and several columns per thread.
  for (var q = t; q < WP; q += NB) {
    var acc: f32 = 0.0;
    for (var p = 0u; p < NB; p++) {
      acc += part[p * WP + q];
    }
    grads[wBase + q] = acc;
  }
  if (HAS_BIAS) {
    for (var q = t; q < TJ; q += NB) {
      var acc: f32 = 0.0;
      for (var p = 0u; p < NB; p++) {
        acc += part[NB * WP + p * TJ + q];
      }
      grads[r * o.P + o.bOff + q] = acc;
    }
  }
  // The loss sum and correct count: thread 0 adds the threads' partials in order (sequential, like
  // the columns above, so not workgroupReduce's tree).
  if (t == 0u) {
    var ls: f32 = 0.0;
    var cs: f32 = 0.0;
    for (var p = 0u; p < NB; p++) {
      ls += part[NB * (WP + TJ) + 2u * p];
      cs += part[NB * (WP + TJ) + 2u * p + 1u];
    }
    let so = (step.slot * R + r) * NS + FIELD;
    stats[so] = ls;
    stats[so + 1u] = cs;
  }
}
