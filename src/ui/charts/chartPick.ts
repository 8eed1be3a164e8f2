/** The chart picker's pure parts: which charts show, in which order. */
import type { MetricGroup } from '../metricGroups';

/** `ids` with `id` added at the end, or removed when it is there. */
export function togglePick(ids: readonly string[], id: string): string[] {
  return ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id];
}

/** `ids` with `id` moved one place up (dir -1) or down (dir 1); unchanged at the ends. */
export function movePick(ids: readonly string[], id: string, dir: -1 | 1): string[] {
  const out = [...ids];
  const i = out.indexOf(id);
  const j = i + dir;
  if (i < 0 || j < 0 || j >= out.length) return out;
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** The picked charts in the picked order (ids no chart has are skipped), and the others. */
export function splitForPick(
  groups: readonly MetricGroup[],
  pick: readonly string[],
): { first: MetricGroup[]; rest: MetricGroup[] } {
  const byId = new Map(groups.map((g) => [g.id, g] as const));
  const first = pick.flatMap((id) => {
    const g = byId.get(id);
    return g ? [g] : [];
  });
  return { first, rest: groups.filter((g) => !pick.includes(g.id)) };
}
