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
import { ValleyPanel } from './valley/ValleyPanel';
import { RunSummary } from './figures/RunSummary';
import { dataShape } from '../experiment/limits';
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

  // on 2-D data the decision boundary leads the charts, beside the loss
  const planar = dataShape(applied.data).inputDim === 2;

  return (
    <div className={`app${embed ? ' embed' : ''}`}>
      <SkipLink />
      <Header />
      <Notices />
      <main className="layout">
        {embed ? null : <ExperimentEditor />}
        <div className="main-col">
          <StoryPanel compact={embed} />
          <Controls compact={embed} />
          <Charts lead={planar ? <BoundaryPanel /> : undefined} compact={embed} />
          {embed ? null : <RunSummary />}
          {embed ? null : <PhaseDiagram />}
          {embed || planar ? null : <BoundaryPanel />}
          {embed ? null : <ValleyPanel />}
          {embed ? null : (
            <div className="side-panels">
              <SharePanel />
              <ExportPanel />
            </div>
          )}
        </div>
      </main>
      {embed ? null : (
        <footer className="foot">
          Keys: space play/pause · s step · r reset. Data generators marked “reconstruction” follow the papers in
          spirit; every constant is a parameter.
        </footer>
      )}
    </div>
  );
}
