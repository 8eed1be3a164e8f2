/** `cli list`: optimizers with their hyperparameters (from the registry), data kinds, and names. */
import { OPTIMIZERS } from '../engine/optim/registry';
import type { HyperSpec } from '../engine/optim/types';
import { dataParamSpecs, defaultDataConfig } from '../engine/data/defaults';
import { METRICS } from '../engine/metrics/names';
import { ACTIVATIONS, LOSSES } from '../schema/types';
import { DATA_KINDS } from '../schema/limits';

/** "(0, 1]", "[0, inf)": the range of a hyperparameter, brackets marking inclusive bounds. */
export function rangeText(
  spec: Pick<HyperSpec, 'min' | 'max' | 'minExclusive' | 'maxExclusive' | 'integer' | 'type'>,
): string {
  if (spec.type === 'boolean') return 'true|false';
  const lo = spec.min === undefined ? '(-inf' : `${spec.minExclusive ? '(' : '['}${spec.min}`;
  const hi = spec.max === undefined ? 'inf)' : `${spec.max}${spec.maxExclusive ? ')' : ']'}`;
  const r = `${lo}, ${hi}`;
  const each = spec.type === 'betas' ? 'each in ' : '';
  return `${spec.integer ? 'integer ' : ''}${each}${r}`;
}

function fmt(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map(
    (r) =>
      indent +
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
  );
}

export function listText(): string {
  const out: string[] = ['Optimizers (runs[i].optimizer: { "name": ..., hyperparameters }):', ''];
  for (const def of OPTIMIZERS) {
    out.push(`${def.name}: ${def.description}`);
    out.push(`  rule: ${def.rule}`);
    if (def.hyperparams.length) {
      out.push(
        ...table(
          [
            ['key', 'default', 'range', 'description'],
            ...def.hyperparams.map((h) => [h.key, fmt(h.default), rangeText(h), h.description]),
          ],
          '    ',
        ),
      );
    }
    out.push('');
  }
  out.push('Data kinds (data: { "kind": ..., parameters }):', '');
  for (const kind of DATA_KINDS) {
    const defaults = defaultDataConfig(kind) as unknown as Record<string, unknown>;
    const specs = dataParamSpecs(kind) as readonly {
      key: string;
      min?: number;
      max?: number;
      integer?: boolean;
      description?: string;
    }[];
    out.push(`${kind}:`);
    const rows = Object.keys(defaults)
      .filter((k) => k !== 'kind')
      .map((k) => {
        const s = specs.find((p) => p.key === k);
        const range = s ? rangeText({ ...s, type: 'number' }) : '';
        return [k, fmt(defaults[k]), range, s?.description ?? ''];
      });
    out.push(...table([['key', 'default', 'range', 'description'], ...rows], '    '), '');
  }
  out.push(`Losses: ${LOSSES.join(', ')}`);
  out.push(`Activations: ${ACTIVATIONS.join(', ')}`);
  out.push('Schedules: constant, step, exponential, linear, cosine, refined');
  out.push(`Metrics (metrics.csv): ${Object.keys(METRICS).join(', ')}, plus curvature metrics when enabled`);
  return out.join('\n') + '\n';
}
