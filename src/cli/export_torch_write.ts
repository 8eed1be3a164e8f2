/** `export torch` on disk: reads the templates of src/cli/torch/ and writes the folder exportTorchFiles builds. */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experiment } from '../schema/types';
import type { Dataset } from '../engine/data/types';
import { exportTorchFiles, TEMPLATE_FILES, type SweepOptions, type TorchTemplates } from './export_torch';

const TEMPLATE_DIR = new URL('./torch/', import.meta.url);

export async function readTemplates(): Promise<TorchTemplates> {
  const texts = await Promise.all(TEMPLATE_FILES.map((f) => readFile(new URL(f, TEMPLATE_DIR), 'utf8')));
  return Object.fromEntries(TEMPLATE_FILES.map((f, i) => [f, texts[i]])) as TorchTemplates;
}

export interface ExportSummary {
  /** The files written, relative to the output folder. */
  files: string[];
  /** Lines of train.py. */
  scriptLines: number;
  /** Metric settings of the experiment that the script does not log. */
  notes: string[];
}

/** Writes the script, config.json, data and initial weights of `exp` (and a sweep's launchers) into `out`. */
export async function exportTorch(
  exp: Experiment,
  out: string,
  opts: { dataset?: Dataset; sweep?: SweepOptions } = {},
): Promise<ExportSummary> {
  const { files, scriptLines, notes } = exportTorchFiles(exp, await readTemplates(), opts);
  await mkdir(out, { recursive: true });
  for (const [name, body] of Object.entries(files)) {
    await writeFile(join(out, name), body);
    if (name.endsWith('.sh')) await chmod(join(out, name), 0o755);
  }
  return { files: Object.keys(files), scriptLines, notes };
}
