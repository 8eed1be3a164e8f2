/**
 * Beside the charts: the loaded preset's story (what to look for, the citation, what is
 * reconstructed) and its claims, each shown live as pending, seen (at step N) or not seen, with
 * the numbers behind the verdict.
 */
import { usePresetClaims } from './presetClaims';
import type { ClaimResult } from '../../experiment/claims';
import './story.css';

function badge(r: ClaimResult): { text: string; cls: string } {
  if (r.status === 'seen') return { text: r.step !== undefined ? `seen at step ${r.step}` : 'seen', cls: 'seen' };
  if (r.status === 'not-seen') return { text: 'not seen', cls: 'not-seen' };
  return { text: 'pending', cls: 'pending' };
}

export function StoryPanel({ compact = false }: { compact?: boolean }) {
  const pc = usePresetClaims();
  if (!pc) return null;
  const { preset, exact, results } = pc;
  return (
    <section className="panel story" aria-label="What this experiment shows" data-preset={preset.id}>
      <h2 className="story-title">{preset.title}</h2>
      <p className="note">{preset.paper}</p>
      {compact ? null : <p className="story-text">{preset.summary}</p>}
      {preset.reconstruction && !compact ? (
        <p className="note reconstruction">Reconstruction: {preset.reconstruction}</p>
      ) : null}
      {exact ? null : (
        <p className="note edited" role="note">
          You changed this preset: its claims were made for the preset as published and are judged here on your runs.
        </p>
      )}
      <h3 className="claims-title">What the paper reports, checked on these runs</h3>
      <ol className="claims">
        {preset.claims.map((c, i) => {
          const r = results[i];
          const b = badge(r);
          return (
            <li key={i} className={`claim ${b.cls}`} data-status={r.status}>
              <span className={`claim-badge ${b.cls}`}>{b.text}</span> <span className="claim-text">{c.text}</span>
              {compact ? null : <span className="claim-detail">{r.detail}</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
