/**
 * Every preset's claims hold on the CPU backend, at full length, on the preset's seed and the two
 * seeds after it (a claim that holds only on one seed is not a claim). The same runner prints the
 * table of `npm run cli -- check-presets`.
 */
import { describe, expect, it } from 'vitest';
import { availablePresets } from '../experiment/presets';
import { claimMetrics, claimRuns } from '../experiment/claims';
import { createTrainer } from '../engine/create';
import { METRIC_GROUPS } from '../ui/metricGroups';
import { checkPresetSeed, checkSeeds, claimTable } from './check_presets';

const presets = availablePresets();

describe('preset claims (CPU backend, 3 seeds)', () => {
  it('every preset has at least one claim, names runs it has, and shows the charts of the metrics it claims about', () => {
    for (const p of presets) {
      expect(p.claims.length, p.id).toBeGreaterThan(0);
      expect(p.charts.length, p.id).toBeGreaterThan(0);
      for (const c of p.claims) {
        expect(c.text.length, p.id).toBeGreaterThan(10);
        for (const r of claimRuns(c.test)) expect(r, `${p.id}: ${c.text}`).toBeLessThan(p.experiment.runs.length);
        for (const m of claimMetrics(c.test)) {
          // the chart that draws m is among the preset's charts (the page shows those first)
          const groups = METRIC_GROUPS.filter((g) => g.metrics.some((x) => x.name === m));
          const shown = p.charts.includes(m) || groups.some((g) => g.metrics.some((x) => p.charts.includes(x.name)));
          expect(shown, `${p.id}: a chart for ${m}`).toBe(true);
        }
      }
    }
  });

  for (const p of presets) {
    it(`${p.id}: every claim holds on seeds ${checkSeeds(p, 3).join(', ')}`, { timeout: 240_000 }, async () => {
      const outcomes = [];
      for (const seed of checkSeeds(p, 3))
        outcomes.push(await checkPresetSeed(p, seed, { backend: 'cpu', createTrainer: (e, o) => createTrainer(e, o) }));
      const table = claimTable(p, outcomes);
      console.log(table.join('\n'));
      for (const o of outcomes)
        o.results.forEach((r, i) =>
          expect(r.status, `${p.id} seed ${o.seed}: ${p.claims[i].text}: ${r.detail}`).toBe('seen'),
        );
    });
  }
});
