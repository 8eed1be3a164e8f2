/** The page: header, notices, editor (hidden in embed mode), controls, charts, share/export. */
import { useEffect } from 'react';
import { appStoreApi, usePlayground } from './store/store';
import { useShortcuts } from './keyboard';
import { Header } from './Header';
import { Notices } from './Notices';
import { Controls } from './Controls';
import { Charts } from './charts/Charts';
import { ExperimentEditor } from './editor/ExperimentEditor';
import { SharePanel } from './SharePanel';
import { ExportPanel } from './ExportPanel';
import { StoryPanel } from './presets/StoryPanel';
import { BoundaryPanel } from './boundary/BoundaryPanel';
import { PhaseDiagram } from './phase/PhaseDiagram';
import { RunSummary } from './figures/RunSummary';
import { hashFor } from './hash';
import { SkipLink } from './SkipLink';

export function App() {
  const theme = usePlayground((s) => s.theme);
  const large = usePlayground((s) => s.largeFont);
  const embed = usePlayground((s) => s.embed);
  const applied = usePlayground((s) => s.applied);
  useShortcuts(appStoreApi());

  useEffect(() => {
    const root = document.documentElement;
    root.dataset.theme = theme;
    root.dataset.font = large ? 'large' : 'normal';
  }, [theme, large]);

  const fullLink = embed ? `${location.origin}${location.pathname}${hashFor(applied)}` : '';

  return (
    <div className={`app${embed ? ' embed' : ''}`}>
      <SkipLink />
      <Header />
      <Notices />
      <main className="layout">
        {embed ? null : <ExperimentEditor />}
        <div className="main-col">
          <StoryPanel compact={embed} />
          <Controls />
          <Charts />
          <RunSummary />
          <PhaseDiagram />
          <BoundaryPanel />
          {embed ? (
            <p className="note">
              <a href={fullLink} target="_blank" rel="noopener noreferrer">
                Open this experiment in the playground
              </a>
            </p>
          ) : (
            <div className="side-panels">
              <SharePanel />
              <ExportPanel />
            </div>
          )}
        </div>
      </main>
      <footer className="foot">
        Keys: space play/pause · s step · r reset. Data generators marked “reconstruction” follow the papers in spirit;
        every constant is a parameter.
      </footer>
    </div>
  );
}
