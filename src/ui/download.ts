/** Save text as a file through a temporary object URL (no server round trip). */
export function downloadText(filename: string, text: string, mime: string): void {
  downloadBlob(filename, new Blob([text], { type: mime }));
}

/** Save bytes (a ZIP archive, say) as a file. */
export function downloadBytes(filename: string, bytes: Uint8Array, mime: string): void {
  downloadBlob(filename, new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
}

function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A timestamped base name, e.g. "playground-2026-01-31T12-00-00". */
export function stamp(prefix = 'playground'): string {
  return `${prefix}-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}`;
}
