/**
 * The page's URL hash: `#e=<codec>` holds the experiment, `embed=1` hides the editing panels.
 * Anything else in a hash is reported, never rendered as markup; the page falls back to the
 * default experiment with a specific message.
 */
import type { Experiment } from '../experiment/types';
import { HASH_KEY, encodeExperiment, experimentFromUrl } from '../experiment/codec';
import { formatErrors } from '../experiment/validate';
import { defaultExperiment } from '../experiment/defaults';

export const EMBED_KEY = 'embed';

export interface HashState {
  experiment: Experiment;
  /** Whether the experiment came from the hash (false: the default). */
  fromLink: boolean;
  embed: boolean;
  /** A friendly, specific message when the hash could not be used. */
  notice: string | null;
}

const MAX_SHOWN_ERRORS = 3;

function params(hash: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const pair of body.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    out.set(eq < 0 ? pair : pair.slice(0, eq), eq < 0 ? '' : pair.slice(eq + 1));
  }
  return out;
}

export function readHash(hash: string): HashState {
  const p = params(hash);
  const embed = p.has(EMBED_KEY) && p.get(EMBED_KEY) !== '0' && p.get(EMBED_KEY) !== 'false';
  if (!p.has(HASH_KEY)) {
    const unknown = [...p.keys()].filter((k) => k !== EMBED_KEY);
    const notice =
      unknown.length > 0
        ? `This link's address ends in something the playground does not understand (expected "#${HASH_KEY}=…"). Showing the default experiment instead.`
        : null;
    return { experiment: defaultExperiment(), fromLink: false, embed, notice };
  }
  const res = experimentFromUrl(`#${HASH_KEY}=${p.get(HASH_KEY) ?? ''}`);
  if (res.ok) return { experiment: res.value, fromLink: true, embed, notice: null };
  return { experiment: defaultExperiment(), fromLink: false, embed, notice: problemMessage(res.errors) };
}

/** "<subject> could not be opened: <reasons>. <consequence>" with the first few problems. */
export function problemMessage(
  errors: { path: string; message: string }[],
  subject = "This link's experiment",
  consequence = 'Showing the default experiment instead.',
): string {
  const lines = formatErrors(errors);
  const shown = lines.slice(0, MAX_SHOWN_ERRORS).join('; ');
  const more = lines.length > MAX_SHOWN_ERRORS ? ` (and ${lines.length - MAX_SHOWN_ERRORS} more problems)` : '';
  return `${subject} could not be opened: ${shown}${more}. ${consequence}`;
}

/** The hash for an experiment (and the embed flag). */
export function hashFor(exp: Experiment, embed = false): string {
  return `#${HASH_KEY}=${encodeExperiment(exp)}${embed ? `&${EMBED_KEY}=1` : ''}`;
}
