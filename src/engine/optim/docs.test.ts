import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOptimizerDocs } from '../../../scripts/gen-optimizer-docs';
import { OPTIMIZERS } from './registry';

describe('docs/optimizers.md', () => {
  it('renders a section with every hyperparameter for every registered optimizer', async () => {
    const text = await renderOptimizerDocs();
    for (const def of OPTIMIZERS) {
      const start = text.indexOf(`## \`${def.name}\``);
      expect(start, def.name).toBeGreaterThan(0);
      const end = text.indexOf('\n## ', start + 1);
      const body = text.slice(start, end < 0 ? undefined : end);
      for (const h of def.hyperparams) expect(body, `${def.name}.${h.key}`).toContain(`\`${h.key}\``);
    }
  });

  it('the committed file lists every registered optimizer (regenerate with npm run docs:optimizers)', () => {
    const committed = readFileSync(new URL('../../../docs/optimizers.md', import.meta.url), 'utf8');
    for (const def of OPTIMIZERS) expect(committed, def.name).toContain(`## \`${def.name}\``);
  });
});
