/**
 * Above the charts: the loaded preset's title and citation, the one sentence to look for, the
 * set-up in full (one click away) and its claims, each shown live as pending, seen (at step N) or
 * not seen; the numbers behind each verdict are one click away too, so the first screen keeps
 * Play and the main chart in view.
 */
import { useState } from 'react';
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
  const [numbers, setNumbers] = useState(false);
  // on a phone the claims start folded, so Play and the first chart share the first screen
  const [claimsOpen] = useState(() => !(window.matchMedia?.('(max-width: 480px)').matches ?? false));
  if (!pc) return null;
  const { preset, exact, results } = pc;
  const seen = results.filter((r) => r.status === 'seen').length;
  return (
    <section className="panel story" aria-label="What this experiment shows" data-preset={preset.id}>
      <div className="story-head">
        <h2 className="story-title">{preset.title}</h2>
        <span className="note story-paper">{preset.paper}</span>
      </div>
      <p className="story-look">
        <strong>Look for:</strong> {preset.lookFor}
      </p>
      {exact ? null : (
        <p className="note edited" role="note">
          You changed this preset: its claims were made for the preset as published and are judged here on your runs.
        </p>
      )}
      {compact ? null : (
        <div className="story-tools">
          <details className="story-more">
            <summary>The set-up in full{preset.reconstruction ? ', and what is reconstructed' : ''}</summary>
            <p className="story-text">{preset.summary}</p>
            {preset.reconstruction ? (
              <p className="note reconstruction">Reconstruction: {preset.reconstruction}</p>
            ) : null}
          </details>
          <button type="button" className="small" aria-pressed={numbers} onClick={() => setNumbers(!numbers)}>
            {numbers ? 'Hide the numbers behind each verdict' : 'Show the numbers behind each verdict'}
          </button>
        </div>
      )}
      {compact ? (
        <p className="claims-title">
          What the paper reports: {seen} of {results.length} seen
        </p>
      ) : (
        <details className="claims-box" open={claimsOpen}>
          <summary>
            <h3 className="claims-title">
              What the paper reports, checked on these runs: {seen} of {results.length} seen
            </h3>
          </summary>
          <ol className="claims">
            {preset.claims.map((c, i) => {
              const r = results[i];
              const b = badge(r);
              return (
                <li key={i} className={`claim ${b.cls}`} data-status={r.status} title={r.detail}>
                  <span className={`claim-badge ${b.cls}`}>{b.text}</span> <span className="claim-text">{c.text}</span>
                  {numbers ? <span className="claim-detail">{r.detail}</span> : null}
                </li>
              );
            })}
          </ol>
        </details>
      )}
    </section>
  );
}
