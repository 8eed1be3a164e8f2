/**
 * Generate docs/optimizers.md from the optimizer registry (src/engine/optim/registry.ts), so the
 * docs list every optimizer with exactly the names, defaults and ranges the validator uses.
 *
 *   npx tsx --import ./scripts/wgsl-register.mjs scripts/gen-optimizer-docs.ts          write the file
 *   npx tsx --import ./scripts/wgsl-register.mjs scripts/gen-optimizer-docs.ts --check  exit 1 if stale
 * (`npm run docs:optimizers` runs the first form.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { OPTIMIZERS } from '../src/engine/optim/registry';
import { adamPrecondThreshold } from '../src/engine/optim/hp';
import { STEP_SCALARS, type Hyper, type HyperSpec, type OptimizerDef } from '../src/engine/optim/types';

const OUT = fileURLToPath(new URL('../docs/optimizers.md', import.meta.url));

function fmtNumber(x: number): string {
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6)) return String(Number(x.toPrecision(6)));
  return x.toExponential().replace('e+', 'e');
}

function fmtDefault(s: HyperSpec): string {
  const d = s.default;
  if (Array.isArray(d)) return `[${d.map(fmtNumber).join(', ')}]`;
  return typeof d === 'number' ? fmtNumber(d) : String(d);
}

function fmtRange(s: HyperSpec): string {
  if (s.type === 'boolean') return 'true / false';
  const lo = s.min === undefined ? '(-inf' : `${s.minExclusive ? '(' : '['}${fmtNumber(s.min)}`;
  const hi = s.max === undefined ? 'inf)' : `${fmtNumber(s.max)}${s.maxExclusive ? ')' : ']'}`;
  const kind = s.type === 'betas' ? 'each beta in ' : s.integer ? 'integer in ' : '';
  return `${kind}${lo}, ${hi}`;
}

function defaults(def: OptimizerDef): Hyper {
  const hp: Hyper = {};
  for (const s of def.hyperparams) hp[s.key] = s.default;
  return hp;
}

function stabilityLines(def: OptimizerDef): string[] {
  const hp = defaults(def);
  const out: string[] = [];
  const s = def.sharpnessThreshold?.(hp, 1);
  if (s !== undefined)
    out.push(
      `- Sharpness stability line (\`sharpnessThreshold\`): ${fmtNumber(s)}/lr at the defaults; it depends on the hyperparameters.`,
    );
  const p = def.precondThreshold?.(hp, 1);
  if (p !== undefined) {
    // Adam's line (Cohen et al.) unless the optimizer has its own, which its notes explain.
    const betas = hp.betas;
    const adamLine = Array.isArray(betas) ? adamPrecondThreshold(1, betas[0]) : undefined;
    const formula =
      adamLine !== undefined && Math.abs(adamLine - p) <= 1e-12 * p
        ? '(2 + 2 beta1) / (lr (1 - beta1))'
        : 'its own (see the notes)';
    out.push(
      `- Preconditioned-sharpness line (\`precondThreshold\`): ${formula} = ${fmtNumber(p)}/lr at the defaults.`,
    );
  }
  if (def.preconditioner)
    out.push(`- Diagonal preconditioner for \`precond_sharpness\`: state slot ${def.preconditioner(hp, 10).slot}.`);
  if (def.perExampleClip)
    out.push('- Needs per-example clipped gradients (the engine computes them with ghost norms).');
  return out;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function section(def: OptimizerDef): string {
  const rows = def.hyperparams.map(
    (s) => `| \`${s.key}\` | ${fmtDefault(s)} | ${fmtRange(s)} | ${cell(s.description)} |`,
  );
  return [
    `## \`${def.name}\``,
    '',
    def.description,
    '',
    `- Update: \`${def.rule}\``,
    `- Source: ${def.source}`,
    ...(def.notes ?? []).map((n) => `- Note: ${n}`),
    `- Optimizer state: ${def.stateSlots} float${def.stateSlots === 1 ? '' : 's'} per parameter (at most).`,
    ...stabilityLines(def),
    '',
    '| hyperparameter | default | valid range | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

const SCHEDULES = `## Learning-rate schedules

Every run has a \`schedule\`; the lr of step t (1-based) is \`lr * scheduleFactor(schedule, t - 1, steps)\`
(\`src/engine/optim/schedules.ts\`). All but \`refined\` accept \`warmup\` (W steps of linear warmup, factor t/W),
after which the schedule runs over the remaining T' = steps - W steps, u = t - 1 - W.

| name | fields | factor after warmup |
| --- | --- | --- |
| \`constant\` | \`warmup\` | 1 |
| \`step\` | \`warmup\`, \`stepSize\` (required), \`gamma\` (0.1) | gamma^floor(u / stepSize) |
| \`exponential\` | \`warmup\`, \`gamma\` (required) | gamma^u |
| \`linear\` | \`warmup\` | 1 - u / T' (reaches 0 after the last step) |
| \`cosine\` | \`warmup\`, \`minFactor\` (0) | minFactor + (1 - minFactor)(1 + cos(pi u / T')) / 2 |
| \`refined\` | \`factors\` (one per step) | factors[t - 1] |

Refined schedules (Defazio, Cutkosky, Mehta & Mishchenko, arXiv 2310.07831) come from a finished run's
gradient norms g_t: median-filter them (width tau * steps, edge padding), weights w_t = g_t^-2 (SGD) or
w_t = g_t^-1 from l1 norms (the coordinate-wise / Adam variant), eta_t = w_t * sum_{p>t} w_p, normalised
to a maximum of 1. Constant norms give linear decay; large early norms give a warmup, large late norms a
fast anneal. The Adam variant's details are reconstructed from the paper's summary: check the paper
before relying on them.
`;

/** The Markdown text, formatted with the repository's Prettier settings (so `npm run format` keeps it). */
export async function renderOptimizerDocs(defs: readonly OptimizerDef[] = OPTIMIZERS): Promise<string> {
  const index = defs.map((d) => `| [\`${d.name}\`](#${d.name.replace(/[^a-z0-9-]/g, '')}) | ${cell(d.description)} |`);
  const raw = [
    '# Optimizers',
    '',
    '<!-- Generated by scripts/gen-optimizer-docs.ts from src/engine/optim/registry.ts; do not edit by hand. -->',
    '',
    'Every optimizer the experiment format accepts (`runs[i].optimizer.name`), with its hyperparameters as',
    'the validator checks them. Names follow PyTorch in camelCase (`weight_decay` is `weightDecay`); `betas`',
    'is a pair. Each optimizer has a float64 CPU reference step (the oracle) and one fused WGSL update for',
    `all runs of a population (per-step scalars such as bias corrections are computed on the CPU, at most ${STEP_SCALARS}`,
    'per run and step). Notation: g = minibatch gradient, bc1 = 1 - beta1^t, bc2 = 1 - beta2^t, t from 1.',
    '',
    '| name | what it does |',
    '| --- | --- |',
    ...index,
    '',
    ...defs.map(section),
    SCHEDULES,
  ].join('\n');
  const options = (await resolveConfig(OUT)) ?? {};
  return format(raw, { ...options, parser: 'markdown' });
}

async function main(): Promise<void> {
  const text = await renderOptimizerDocs();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${OUT} is out of date; run npm run docs:optimizers`);
      process.exit(1);
    }
    console.log(`${OUT} is up to date`);
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT} (${OPTIMIZERS.length} optimizers)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
