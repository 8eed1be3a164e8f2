/**
 * The page's URL hash: `#e=<codec>` holds the experiment, `embed=1` hides the editing panels,
 * `charts=<id>,<id>…` is the chart picker's choice (which charts, in which order).
 * Anything else in a hash is reported, never rendered as markup; the page falls back to the
 * default experiment with a specific message.
 */
import type { Experiment } from '../experiment/types';
import { HASH_KEY, encodeExperiment, experimentFromUrl } from '../experiment/codec';
import { formatErrors } from '../experiment/validate';
import { defaultExperiment } from '../experiment/defaults';

export const EMBED_KEY = 'embed';
export const CHARTS_KEY = 'charts';
/** At most this many chart ids are read from a link; each is a short id of letters, digits, '_', '-', ':'. */
export const MAX_CHART_IDS = 40;
const CHART_ID = /^[A-Za-z0-9_:-]{1,64}$/;

export interface HashState {
  experiment: Experiment;
  /** Whether the experiment came from the hash (false: the default). */
  fromLink: boolean;
  embed: boolean;
  /** The chart picker's choice (null: none in the link). */
  charts: string[] | null;
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
  const charts = readCharts(p.get(CHARTS_KEY));
  if (!p.has(HASH_KEY)) {
    const unknown = [...p.keys()].filter((k) => k !== EMBED_KEY && k !== CHARTS_KEY);
    const notice =
      unknown.length > 0
        ? `This link's address ends in something the playground does not understand (expected "#${HASH_KEY}=…"). Showing the default experiment instead.`
        : null;
    return { experiment: defaultExperiment(), fromLink: false, embed, charts, notice };
  }
  const res = experimentFromUrl(`#${HASH_KEY}=${p.get(HASH_KEY) ?? ''}`);
  if (res.ok) return { experiment: res.value, fromLink: true, embed, charts, notice: null };
  return { experiment: defaultExperiment(), fromLink: false, embed, charts, notice: problemMessage(res.errors) };
}

/**
 * The chart ids of a `charts=` value: those that look like chart ids, once each, at most
 * MAX_CHART_IDS; null when the link has none. (An id no chart has is simply not shown.)
 */
export function readCharts(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  let text: string;
  try {
    text = decodeURIComponent(value);
  } catch {
    return null;
  }
  const ids = [...new Set(text.split(',').filter((id) => CHART_ID.test(id)))].slice(0, MAX_CHART_IDS);
  return ids.length > 0 ? ids : null;
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

/** The hash for an experiment (and the embed flag, and the chart picker's choice). */
export function hashFor(exp: Experiment, embed = false, charts: readonly string[] | null = null): string {
  const pick = charts && charts.length > 0 ? `&${CHARTS_KEY}=${charts.map(encodeURIComponent).join(',')}` : '';
  return `#${HASH_KEY}=${encodeExperiment(exp)}${embed ? `&${EMBED_KEY}=1` : ''}${pick}`;
}
