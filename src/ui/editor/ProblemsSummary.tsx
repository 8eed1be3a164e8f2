/** The edited experiment's problems, above the editor, in the page's words (problems.ts). */
import { useMemo } from 'react';
import { usePlayground } from '../store/store';
import { describeProblems } from './problems';

export function ProblemsSummary() {
  const errors = usePlayground((s) => s.errors);
  const draft = usePlayground((s) => s.draft);
  const lines = useMemo(() => describeProblems(errors, draft), [errors, draft]);
  if (lines.length === 0) return null;
  return (
    <div className="problems" role="alert">
      <strong>The edited experiment has problems</strong> (training continues with the last valid one):
      <ul>
        {lines.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  );
}
