/**
 * `npm run bench:knobs -- [--workload tiny|sweep64|wide] [--steps N] [--rounds N] VARIANT...`:
 * time training steps of our engine in headless Chromium with different tuning settings,
 * alternating the variants in one page (bench/browser/knobs.ts), and print each one's median and
 * best ms per step. A VARIANT is '/'-separated setting:value pairs of denseTuning, e.g.
 *   npm run bench:knobs -- --workload sweep64 tile:8 tile:16 tile:8/splitBackward:0
 * An empty variant ('') is the defaults. A benchmark, not a test.
 */
import { runPage } from './browser_run';
import { EXPERIMENTS } from './workloads';
import type { KnobResult } from './browser/knobs';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const at = args.indexOf(name);
  if (at < 0) return def;
  const v = args[at + 1];
  args.splice(at, 2);
  return v;
};
const w = opt('--workload', 'sweep64');
if (!(w in EXPERIMENTS))
  throw new Error(`--workload: expected one of ${Object.keys(EXPERIMENTS).join(', ')}, got "${w}"`);
const steps = Number(opt('--steps', w === 'tiny' ? '400' : w === 'wide' ? '10' : '60'));
const rounds = Number(opt('--rounds', '9'));
if (!(steps >= 1) || !(rounds >= 1)) throw new Error('--steps and --rounds: expected positive integers');
const variants = args.length > 0 ? args : [''];
for (const v of variants)
  if (!/^([A-Za-z]+:[0-9.]+(\/[A-Za-z]+:[0-9.]+)*)?$/.test(v))
    throw new Error(`variant "${v}": expected setting:value pairs separated by '/', e.g. tile:8/splitBackward:0`);

const query = new URLSearchParams({ w, steps: String(steps), rounds: String(rounds), v: variants.join(',') });
const out = await runPage<{ adapter: string; results: KnobResult[]; error?: string }>(
  `bench/browser/knobs.html?${query}`,
  '__knobs',
);
if (out.error) throw new Error(out.error);
console.log(`adapter: ${out.adapter}; ${w}, ${steps} steps per timing, ${rounds} alternating rounds`);
for (const r of out.results)
  console.log(
    `${(r.variant || '(defaults)').padEnd(32)} median ${r.medianMs.toFixed(3)} ms/step, best ${r.minMs.toFixed(3)}`,
  );
