/**
 * The evaluator of preset claims (claims.ts, the language): `evaluateClaim` judges one claim on the
 * series logged so far, as pending, seen at a step, or not seen, with the numbers behind the
 * verdict. One function per kind of claim; all are pure functions of the logged series.
 */
import type { Agg, ClaimContext, ClaimResult, ClaimTest, Operand, SeriesView, Stat } from './claims';

const fmt = (x: number): string => {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
};

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${fmt(Math.abs(x) * 100)}%`;

function windowOf(steps: number, from = 0, to = 1): [number, number] {
  return [Math.ceil(from * steps - 1e-9), Math.floor(to * steps + 1e-9)];
}

function windowValues(s: SeriesView | undefined, lo: number, hi: number): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (let i = 0; i < s.steps.length; i++) if (s.steps[i] >= lo && s.steps[i] <= hi) out.push(s.values[i]);
  return out;
}

function aggregate(v: readonly number[], agg: Agg): number {
  if (v.length === 0) return NaN;
  switch (agg) {
    case 'final':
      return v[v.length - 1];
    case 'first':
      return v[0];
    case 'min':
      return Math.min(...v);
    case 'max':
      return Math.max(...v);
    case 'mean':
      return v.reduce((a, b) => a + b, 0) / v.length;
    case 'median': {
      const s = [...v].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    }
  }
}

function runName(ctx: ClaimContext, run: number): string {
  return ctx.labels?.[run] ?? `run ${run + 1}`;
}

/** A window is complete once training passed its end, or training is over. */
function windowDone(ctx: ClaimContext, to = 1): boolean {
  return ctx.done || ctx.step >= windowOf(ctx.steps, 0, to)[1];
}

interface StatValue {
  value: number;
  ready: boolean;
  label: string;
  /** The last step of the window, clipped to what was trained. */
  end: number;
}

function statValue(ctx: ClaimContext, s: Stat): StatValue {
  const [lo, hi] = windowOf(ctx.steps, s.from, s.to);
  const series = ctx.get(s.run, s.metric);
  const vals = windowValues(series, lo, hi);
  const value = aggregate(vals, s.agg) * (s.scale ?? 1);
  // the first value of a window is known as soon as it is logged
  if (s.agg === 'first' && series && vals.length > 0) {
    const at = series.steps.find((st) => st >= lo) ?? lo;
    return { value, ready: true, label: statLabel(ctx, s, lo, hi), end: at };
  }
  return { value, ready: windowDone(ctx, s.to), label: statLabel(ctx, s, lo, hi), end: Math.min(hi, ctx.step) };
}

function statLabel(ctx: ClaimContext, s: Stat, lo: number, hi: number): string {
  const win = s.from || (s.to !== undefined && s.to < 1) ? ` (steps ${lo}–${hi})` : '';
  const scale = s.scale !== undefined && s.scale !== 1 ? ` × ${fmt(s.scale)}` : '';
  return `${runName(ctx, s.run)} ${s.agg} ${s.metric}${scale}${win}`;
}

function operandValue(ctx: ClaimContext, o: Operand): StatValue {
  if (typeof o === 'number') return { value: o, ready: true, label: fmt(o), end: 0 };
  return statValue(ctx, o);
}

const pending = (detail: string): ClaimResult => ({ status: 'pending', detail });

function decided(ok: boolean, step: number, detail: string): ClaimResult {
  return ok ? { status: 'seen', step, detail } : { status: 'not-seen', detail };
}

function missing(vs: StatValue[]): string | null {
  const bad = vs.find((v) => !Number.isFinite(v.value));
  return bad ? `no finite value for ${bad.label}` : null;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Evaluate one claim on the series logged so far. */
export function evaluateClaim(test: ClaimTest, ctx: ClaimContext): ClaimResult {
  switch (test.kind) {
    case 'compare':
      return evalCompare(test, ctx);
    case 'near':
      return evalNear(test, ctx);
    case 'ordered':
      return evalOrdered(test, ctx);
    case 'closes-gap':
      return evalClosesGap(test, ctx);
    case 'reaches':
      return evalReaches(test, ctx);
    case 'spike':
      return evalSpike(test, ctx);
    case 'oscillates':
      return evalOscillates(test, ctx);
    case 'anti-phase':
      return evalAntiPhase(test, ctx);
  }
}

/** left op factor x right, once both windows are complete. */
function evalCompare(test: Extract<ClaimTest, { kind: 'compare' }>, ctx: ClaimContext): ClaimResult {
  const l = statValue(ctx, test.left);
  const r = operandValue(ctx, test.right);
  const f = test.factor ?? 1;
  if (!l.ready || !r.ready) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.left.to)[1]}`);
  const bad = missing([l, r]);
  if (bad) return { status: 'not-seen', detail: bad };
  const rhs = f * r.value;
  const ok = test.op === '<' ? l.value < rhs : l.value > rhs;
  const fs = f !== 1 ? `${fmt(f)} × ` : '';
  return decided(
    ok,
    Math.max(l.end, r.end),
    `${l.label} = ${fmt(l.value)} ${test.op} ${fs}${r.label}${typeof test.right === 'number' ? '' : ` (${fmt(r.value)})`}${f !== 1 ? ` = ${fmt(rhs)}` : ''}`,
  );
}

/** |stat / target - 1| <= tol, once both windows are complete. */
function evalNear(test: Extract<ClaimTest, { kind: 'near' }>, ctx: ClaimContext): ClaimResult {
  const s = statValue(ctx, test.stat);
  const t = operandValue(ctx, test.target);
  if (!s.ready || !t.ready) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.stat.to)[1]}`);
  const bad = missing([s, t]);
  if (bad) return { status: 'not-seen', detail: bad };
  const rel = s.value / t.value - 1;
  return decided(
    Math.abs(rel) <= test.tol,
    Math.max(s.end, t.end),
    `${s.label} = ${fmt(s.value)} vs ${t.label}${typeof test.target === 'number' ? '' : ` = ${fmt(t.value)}`} (${pct(rel)}, allowed ±${fmt(test.tol * 100)}%)`,
  );
}

/** The statistic over the runs rises (or falls) by more than margin x |previous| each time. */
function evalOrdered(test: Extract<ClaimTest, { kind: 'ordered' }>, ctx: ClaimContext): ClaimResult {
  const vs = test.runs.map((run) =>
    statValue(ctx, { run, metric: test.metric, agg: test.agg, from: test.from, to: test.to }),
  );
  if (vs.some((v) => !v.ready)) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.to)[1]}`);
  const bad = missing(vs);
  if (bad) return { status: 'not-seen', detail: bad };
  const m = test.margin ?? 0;
  let ok = true;
  for (let i = 1; i < vs.length; i++) {
    const d = vs[i].value - vs[i - 1].value;
    const need = m * Math.abs(vs[i - 1].value);
    if (test.direction === 'increasing' ? !(d > need) : !(-d > need)) ok = false;
  }
  const sep = test.direction === 'increasing' ? ' < ' : ' > ';
  const [lo, hi] = windowOf(ctx.steps, test.from, test.to);
  const win = test.from || (test.to !== undefined && test.to < 1) ? ` (steps ${lo}–${hi})` : '';
  const list = test.runs.map((r, i) => `${runName(ctx, r)} ${fmt(vs[i].value)}`).join(sep);
  return decided(
    ok,
    Math.max(...vs.map((v) => v.end)),
    `${test.agg} ${test.metric}${win}: ${list}${m ? ` (each by more than ${fmt(m * 100)}%)` : ''}`,
  );
}

/** c closes at least `fraction` of the gap from a down to b. */
function evalClosesGap(test: Extract<ClaimTest, { kind: 'closes-gap' }>, ctx: ClaimContext): ClaimResult {
  const a = statValue(ctx, test.a);
  const b = statValue(ctx, test.b);
  const c = statValue(ctx, test.c);
  if (!a.ready || !b.ready || !c.ready) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.a.to)[1]}`);
  const bad = missing([a, b, c]);
  if (bad) return { status: 'not-seen', detail: bad };
  const gap = a.value - b.value;
  const closed = gap > 0 ? (a.value - c.value) / gap : NaN;
  const detail = `${a.label} = ${fmt(a.value)}, ${b.label} = ${fmt(b.value)}, ${c.label} = ${fmt(c.value)}: ${
    gap > 0 ? `closes ${fmt(closed * 100)}% of the gap (needs ${fmt(test.fraction * 100)}%)` : 'no gap to close'
  }`;
  return decided(gap > 0 && closed >= test.fraction, Math.max(a.end, b.end, c.end), detail);
}

/** The first logged step where the metric reaches fraction x target, by the deadline. */
function evalReaches(test: Extract<ClaimTest, { kind: 'reaches' }>, ctx: ClaimContext): ClaimResult {
  const s = ctx.get(test.run, test.metric);
  const tgt = typeof test.target === 'string' ? ctx.get(test.run, test.target) : undefined;
  const deadline = test.by !== undefined ? windowOf(ctx.steps, 0, test.by)[1] : ctx.steps;
  const tname = typeof test.target === 'number' ? fmt(test.target) : test.target;
  const what = `${runName(ctx, test.run)} ${test.metric} ≥ ${test.fraction !== 1 ? `${fmt(test.fraction)} × ` : ''}${tname}`;
  let best = -Infinity;
  if (s) {
    let j = 0;
    for (let i = 0; i < s.steps.length && s.steps[i] <= deadline; i++) {
      let t: number;
      if (typeof test.target === 'number') t = test.target;
      else {
        if (!tgt) break;
        while (j < tgt.steps.length && tgt.steps[j] < s.steps[i]) j++;
        if (j >= tgt.steps.length || tgt.steps[j] !== s.steps[i]) continue;
        t = tgt.values[j];
      }
      const ratio = s.values[i] / t;
      if (Number.isFinite(ratio) && ratio > best) best = ratio;
      if (Number.isFinite(ratio) && s.values[i] >= test.fraction * t)
        return {
          status: 'seen',
          step: s.steps[i],
          detail: `${what} at step ${s.steps[i]} (${fmt(s.values[i])} vs ${fmt(t)})`,
        };
    }
  }
  const over = ctx.done || ctx.step >= deadline;
  const closest = Number.isFinite(best) ? `; closest: ${fmt(best)} × ${tname}` : '';
  return over
    ? { status: 'not-seen', detail: `${what} never happened by step ${Math.min(deadline, ctx.step)}${closest}` }
    : pending(`${what}: not yet${closest}`);
}

/** A logged value after the start exceeds factor x the lowest value before it, by the deadline. */
function evalSpike(test: Extract<ClaimTest, { kind: 'spike' }>, ctx: ClaimContext): ClaimResult {
  const s = ctx.get(test.run, test.metric);
  const start = windowOf(ctx.steps, test.after ?? 0, 1)[0];
  const deadline = test.by !== undefined ? windowOf(ctx.steps, 0, test.by)[1] : ctx.steps;
  const what = `${runName(ctx, test.run)} ${test.metric} jumps above ${fmt(test.factor)} × its lowest value so far`;
  let biggest = 0;
  if (s) {
    let lowest = Infinity;
    for (let i = 0; i < s.steps.length && s.steps[i] <= deadline; i++) {
      const v = s.values[i];
      if (s.steps[i] >= start && lowest > 0 && Number.isFinite(lowest)) {
        const r = v / lowest;
        if (Number.isFinite(r) && r > biggest) biggest = r;
        if (v > test.factor * lowest)
          return {
            status: 'seen',
            step: s.steps[i],
            detail: `${what}: at step ${s.steps[i]}, ${fmt(v)} vs ${fmt(lowest)}`,
          };
      }
      if (v < lowest) lowest = v;
    }
  }
  const over = ctx.done || ctx.step >= deadline;
  const most = biggest > 0 ? `; largest jump ${fmt(biggest)} ×` : '';
  return over ? { status: 'not-seen', detail: `${what}: no such spike${most}` } : pending(`${what}: not yet${most}`);
}

/** The fraction of consecutive logged triples in the window that turn. */
function evalOscillates(test: Extract<ClaimTest, { kind: 'oscillates' }>, ctx: ClaimContext): ClaimResult {
  if (!windowDone(ctx, test.to)) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.to)[1]}`);
  const [lo, hi] = windowOf(ctx.steps, test.from, test.to);
  const v = windowValues(ctx.get(test.run, test.metric), lo, hi);
  if (v.length < 3)
    return {
      status: 'not-seen',
      detail: `${runName(ctx, test.run)} ${test.metric}: fewer than 3 values in steps ${lo}–${hi}`,
    };
  let turns = 0;
  for (let i = 1; i + 1 < v.length; i++) if ((v[i] - v[i - 1]) * (v[i + 1] - v[i]) < 0) turns++;
  const frac = turns / (v.length - 2);
  return decided(
    frac >= test.fraction,
    Math.min(hi, ctx.step),
    `${runName(ctx, test.run)} ${test.metric} turns at ${fmt(frac * 100)}% of logged steps in ${lo}–${hi} (needs ${fmt(test.fraction * 100)}%)`,
  );
}

/** The correlation of the step-to-step changes of two metrics of one run in the window. */
function evalAntiPhase(test: Extract<ClaimTest, { kind: 'anti-phase' }>, ctx: ClaimContext): ClaimResult {
  if (!windowDone(ctx, test.to)) return pending(`waiting for step ${windowOf(ctx.steps, 0, test.to)[1]}`);
  const [lo, hi] = windowOf(ctx.steps, test.from, test.to);
  const sa = ctx.get(test.run, test.a);
  const sb = ctx.get(test.run, test.b);
  const bIdx = new Map<number, number>();
  if (sb) for (let i = 0; i < sb.steps.length; i++) bIdx.set(sb.steps[i], sb.values[i]);
  const pa: number[] = [];
  const pb: number[] = [];
  if (sa)
    for (let i = 0; i < sa.steps.length; i++) {
      const st = sa.steps[i];
      if (st < lo || st > hi) continue;
      const vb = bIdx.get(st);
      if (vb !== undefined && Number.isFinite(sa.values[i]) && Number.isFinite(vb)) {
        pa.push(sa.values[i]);
        pb.push(vb);
      }
    }
  if (pa.length < 4)
    return { status: 'not-seen', detail: `${test.a} and ${test.b}: too few common steps in ${lo}–${hi}` };
  const da = pa.slice(1).map((x, i) => x - pa[i]);
  const db = pb.slice(1).map((x, i) => x - pb[i]);
  const r = pearson(da, db);
  return decided(
    r <= -test.corr,
    Math.min(hi, ctx.step),
    `${runName(ctx, test.run)}: changes of ${test.a} and ${test.b} correlate ${fmt(r)} in steps ${lo}–${hi} (needs ≤ ${fmt(-test.corr)})`,
  );
}
