/** Loading an experiment for the CLI: a JSON file, or an experiment URL / hash / encoded string. */
import { readFile, stat } from 'node:fs/promises';
import type { Experiment, Result } from '../schema/types';
import { parseExperiment } from '../experiment/validate';
import { experimentFromUrl } from '../experiment/codec';

/** Experiment files larger than this are refused before reading. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

const fail = (path: string, message: string): Result<never> => ({ ok: false, errors: [{ path, message }] });

function looksLikeUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('#') || s.startsWith('e=');
}

export async function loadExperiment(source: string): Promise<Result<Experiment>> {
  if (looksLikeUrl(source)) return experimentFromUrl(source);
  let size: number;
  try {
    const st = await stat(source);
    if (!st.isFile()) return fail(source, 'is not a file');
    size = st.size;
  } catch {
    // A bare encoded experiment ("1.eJy...") that is not also a file name.
    if (/^\d+\.[A-Za-z0-9_-]{8,}$/.test(source)) return experimentFromUrl(source);
    return fail(source, 'no such file (expected an experiment .json file or an experiment URL)');
  }
  if (size > MAX_FILE_BYTES)
    return fail(source, `is ${size} bytes; experiment files are limited to ${MAX_FILE_BYTES} bytes`);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (e) {
    return fail(source, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(source, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseExperiment(json);
}

/** The experiment with `steps` replaced, validated again (a refined schedule's length depends on it). */
export function withSteps(exp: Experiment, steps: number | undefined): Result<Experiment> {
  if (steps === undefined || steps === exp.steps) return { ok: true, value: exp };
  const res = parseExperiment({ ...exp, steps });
  if (res.ok) return res;
  return {
    ok: false,
    errors: res.errors.map((e) => ({ path: e.path, message: `${e.message} (with --steps ${steps})` })),
  };
}
