/**
 * The sentences charts add for the optimizers of the applied runs (OptimizerDef.chartNote): what a
 * Schedule-Free or SAM run's curves measure. Each once, in the order the runs first use them.
 */
import { getOptimizer } from '../../engine/optim/registry';

export function optimizerChartNotes(runs: readonly { optimizer: { name: string } }[]): string[] {
  const notes: string[] = [];
  for (const r of runs) {
    const note = getOptimizer(r.optimizer.name)?.chartNote;
    if (note && !notes.includes(note)) notes.push(note);
  }
  return notes;
}
