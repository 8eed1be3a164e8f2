/**
 * The csv data kind: the parsed table (../csv.ts), rows shuffled by the seed; the first nTest
 * shuffled rows form the test set and the next nTrain the train set (nTrain + nTest <= rows).
 */
import type { CsvData } from '../../../schema/types';
import type { Dataset, DataSplit } from '../types';
import { parseCsvCached, type CsvTable } from '../csv';
import { dataRng, emptySplit, SUB_TRAIN } from './common';

/** The parsed table of a csv config, or an Error naming every problem. */
export function csvTable(cfg: CsvData): CsvTable {
  const r = parseCsvCached(cfg.text, { labelColumn: cfg.labelColumn, task: cfg.task });
  if (!r.ok) throw new Error(`invalid CSV: ${r.errors.join('; ')}`);
  return r.value;
}

function take(t: CsvTable, rows: Uint32Array, from: number, n: number): DataSplit {
  const D = t.inputDim;
  const s = emptySplit(n, D, 1);
  for (let k = 0; k < n; k++) {
    const r = rows[from + k];
    s.x.set(t.x.subarray(r * D, (r + 1) * D), k * D);
    s.y[k] = t.y[r];
  }
  return s;
}

export function csvDataset(cfg: CsvData, seed: number): Dataset {
  const t = csvTable(cfg);
  if (cfg.nTrain + cfg.nTest > t.n)
    throw new Error(`data.nTrain: nTrain + nTest = ${cfg.nTrain + cfg.nTest} exceeds the ${t.n} rows of the CSV`);
  const rows = new Uint32Array(t.n);
  for (let i = 0; i < t.n; i++) rows[i] = i;
  dataRng(seed, SUB_TRAIN).shuffle(rows);
  return {
    inputDim: t.inputDim,
    nClasses: t.nClasses,
    targetDim: 1,
    test: take(t, rows, 0, cfg.nTest),
    train: take(t, rows, cfg.nTest, cfg.nTrain),
    meta: { kind: cfg.kind, columns: t.columns, classNames: t.classNames },
  };
}
