/**
 * Small float64 models for the curvature tests, independent of the CPU backend: a linear model and
 * a 2-layer tanh network with mse loss 0.5 * sum_j (z_j - t_j)^2 averaged over the points (the
 * project's mse), parameters in the project layout (W [out, in] row-major, then bias [out]). The
 * tanh network also has an exact Hessian-vector product by forward-over-reverse differentiation
 * (tangents pushed through every line of its backward pass).
 */
import { mlpLayout, type ParamLayout } from '../model/layout';

/** Deterministic test numbers (mulberry32), uniform in [0, 1). */
export function testRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples from testRng. */
export function testNormal(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

export function randomVec(n: number, rnd: () => number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * rnd());
}

export interface LinearMse {
  layout: ParamLayout;
  grad: (theta: Float64Array) => Float64Array;
  loss: (theta: Float64Array) => number;
  /** The exact Hessian (row-major P x P): (Xa^T Xa / n) (x) I_out, Xa = [X, 1]. */
  hessian: Float64Array;
}

/** Linear model z = W x + b on n points (X row-major [n, d], T [n, k]). */
export function linearMse(X: Float64Array, T: Float64Array, n: number, d: number, k: number): LinearMse {
  const layout = mlpLayout([d, k]);
  const P = layout.paramCount;
  const bOff = layout.layers[0].biasOffset;
  const forward = (theta: Float64Array, p: number, j: number) => {
    let z = theta[bOff + j];
    for (let i = 0; i < d; i++) z += theta[j * d + i] * X[p * d + i];
    return z;
  };
  const grad = (theta: Float64Array) => {
    const g = new Float64Array(P);
    for (let p = 0; p < n; p++) {
      for (let j = 0; j < k; j++) {
        const r = (forward(theta, p, j) - T[p * k + j]) / n;
        for (let i = 0; i < d; i++) g[j * d + i] += r * X[p * d + i];
        g[bOff + j] += r;
      }
    }
    return g;
  };
  const loss = (theta: Float64Array) => {
    let l = 0;
    for (let p = 0; p < n; p++) for (let j = 0; j < k; j++) l += 0.5 * (forward(theta, p, j) - T[p * k + j]) ** 2;
    return l / n;
  };
  // Index of (output j, augmented input i) with i = d the bias.
  const idx = (j: number, i: number) => (i < d ? j * d + i : bOff + j);
  const xa = (p: number, i: number) => (i < d ? X[p * d + i] : 1);
  const H = new Float64Array(P * P);
  for (let j = 0; j < k; j++) {
    for (let a = 0; a <= d; a++) {
      for (let b = 0; b <= d; b++) {
        let s = 0;
        for (let p = 0; p < n; p++) s += xa(p, a) * xa(p, b);
        H[idx(j, a) * P + idx(j, b)] = s / n;
      }
    }
  }
  return { layout, grad, loss, hessian: H };
}

export interface TanhNet {
  layout: ParamLayout;
  grad: (theta: Float64Array) => Float64Array;
  loss: (theta: Float64Array) => number;
  /** Exact H v at theta (forward-over-reverse); also returns the gradient. */
  hvp: (theta: Float64Array, v: Float64Array) => { g: Float64Array; hv: Float64Array };
}

/** z = W2 tanh(W1 x + b1) + b2, widths [d, m, k], mse loss over n points. */
export function tanhNet(X: Float64Array, T: Float64Array, n: number, d: number, m: number, k: number): TanhNet {
  const layout = mlpLayout([d, m, k]);
  const [L1, L2] = layout.layers;
  const P = layout.paramCount;
  const hvp = (theta: Float64Array, v: Float64Array) => {
    const g = new Float64Array(P);
    const hv = new Float64Array(P);
    const a = new Float64Array(m);
    const ad = new Float64Array(m);
    const z2 = new Float64Array(k);
    const z2d = new Float64Array(k);
    for (let p = 0; p < n; p++) {
      const x = (i: number) => X[p * d + i];
      for (let j = 0; j < m; j++) {
        let z = theta[L1.biasOffset + j];
        let zd = v[L1.biasOffset + j];
        for (let i = 0; i < d; i++) {
          z += theta[L1.weightOffset + j * d + i] * x(i);
          zd += v[L1.weightOffset + j * d + i] * x(i);
        }
        a[j] = Math.tanh(z);
        ad[j] = (1 - a[j] * a[j]) * zd;
      }
      for (let o = 0; o < k; o++) {
        let z = theta[L2.biasOffset + o];
        let zd = v[L2.biasOffset + o];
        for (let j = 0; j < m; j++) {
          z += theta[L2.weightOffset + o * m + j] * a[j];
          zd += v[L2.weightOffset + o * m + j] * a[j] + theta[L2.weightOffset + o * m + j] * ad[j];
        }
        z2[o] = z;
        z2d[o] = zd;
      }
      for (let o = 0; o < k; o++) {
        const e = (z2[o] - T[p * k + o]) / n;
        const ed = z2d[o] / n;
        for (let j = 0; j < m; j++) {
          g[L2.weightOffset + o * m + j] += e * a[j];
          hv[L2.weightOffset + o * m + j] += ed * a[j] + e * ad[j];
        }
        g[L2.biasOffset + o] += e;
        hv[L2.biasOffset + o] += ed;
      }
      for (let j = 0; j < m; j++) {
        let da = 0;
        let dad = 0;
        for (let o = 0; o < k; o++) {
          const e = (z2[o] - T[p * k + o]) / n;
          const ed = z2d[o] / n;
          da += theta[L2.weightOffset + o * m + j] * e;
          dad += v[L2.weightOffset + o * m + j] * e + theta[L2.weightOffset + o * m + j] * ed;
        }
        const s = 1 - a[j] * a[j];
        const delta = da * s;
        const deltad = dad * s - 2 * da * a[j] * ad[j];
        for (let i = 0; i < d; i++) {
          g[L1.weightOffset + j * d + i] += delta * x(i);
          hv[L1.weightOffset + j * d + i] += deltad * x(i);
        }
        g[L1.biasOffset + j] += delta;
        hv[L1.biasOffset + j] += deltad;
      }
    }
    return { g, hv };
  };
  const zero = new Float64Array(P);
  const grad = (theta: Float64Array) => hvp(theta, zero).g;
  const loss = (theta: Float64Array) => {
    let l = 0;
    for (let p = 0; p < n; p++) {
      const h = new Float64Array(m);
      for (let j = 0; j < m; j++) {
        let z = theta[L1.biasOffset + j];
        for (let i = 0; i < d; i++) z += theta[L1.weightOffset + j * d + i] * X[p * d + i];
        h[j] = Math.tanh(z);
      }
      for (let o = 0; o < k; o++) {
        let z = theta[L2.biasOffset + o];
        for (let j = 0; j < m; j++) z += theta[L2.weightOffset + o * m + j] * h[j];
        l += 0.5 * (z - T[p * k + o]) ** 2;
      }
    }
    return l / n;
  };
  return { layout, grad, loss, hvp };
}

/** A quadratic 0.5 theta^T A theta with symmetric A (row-major n x n): grad = A theta. */
export function quadraticGrad(A: Float64Array, n: number): (theta: Float64Array) => Float64Array {
  return (theta) => {
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * theta[j];
      g[i] = s;
    }
    return g;
  };
}

/** Q diag(values) Q^T with Q a random orthogonal matrix (Gram-Schmidt of normal vectors). */
export function matrixWithSpectrum(values: number[], rnd: () => number): Float64Array {
  const n = values.length;
  const Q: Float64Array[] = [];
  while (Q.length < n) {
    const v = randomVec(n, rnd);
    for (const q of Q) {
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= s * q[i];
    }
    const nv = Math.hypot(...v);
    if (nv < 1e-6) continue;
    Q.push(v.map((x) => x / nv));
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += values[c] * Q[c][i] * Q[c][j];
      A[i * n + j] = s;
    }
  }
  return A;
}
