/** Share: the experiment in the URL hash; "Copy link" and an embed link. */
import { useMemo, useState } from 'react';
import { usePlayground } from './store/store';
import { hashFor } from './hash';

function pageUrl(hash: string): string {
  return `${location.origin}${location.pathname}${location.search}${hash}`;
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function SharePanel() {
  const applied = usePlayground((s) => s.applied);
  const charts = usePlayground((s) => s.chartPick);
  const link = useMemo(() => pageUrl(hashFor(applied, false, charts)), [applied, charts]);
  const embedLink = useMemo(() => pageUrl(hashFor(applied, true, charts)), [applied, charts]);
  const [copied, setCopied] = useState('');
  const doCopy = async (text: string, what: string) => {
    const ok = await copy(text);
    setCopied(
      ok
        ? `${what} copied to the clipboard.`
        : `Could not reach the clipboard: select the ${what.toLowerCase()} below and copy it.`,
    );
  };
  return (
    <section className="panel share" aria-label="Share">
      <h2>Share</h2>
      <div className="row">
        <button type="button" onClick={() => void doCopy(link, 'Link')}>
          Copy link
        </button>
        <button type="button" onClick={() => void doCopy(embedLink, 'Embed link')}>
          Copy embed link
        </button>
      </div>
      <input
        type="text"
        className="link"
        aria-label="Share link"
        readOnly
        value={link}
        onFocus={(e) => e.currentTarget.select()}
      />
      {copied ? (
        <p className="note" role="status">
          {copied}
        </p>
      ) : null}
    </section>
  );
}
