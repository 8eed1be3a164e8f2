/**
 * The app's Content-Security-Policy (index.html): scripts only from the origin (no inline script,
 * no eval), nothing from elsewhere, and no inline script in the page itself.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const html = readFileSync(new URL('../index.html', import.meta.url), 'utf8');

function policy(): Map<string, string[]> {
  const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
  expect(m, 'index.html has a CSP meta tag').not.toBeNull();
  return new Map(
    m![1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((p) => p[0])
      .map((p) => [p[0], p.slice(1)]),
  );
}

describe('Content-Security-Policy', () => {
  it("allows scripts from 'self' only: no inline scripts, no eval", () => {
    const p = policy();
    const scripts = p.get('script-src') ?? p.get('default-src')!;
    expect(scripts).toEqual(["'self'"]);
    for (const v of p.values()) {
      expect(v).not.toContain("'unsafe-eval'");
      expect(v).not.toContain("'unsafe-inline'");
    }
    expect(p.get('object-src')).toEqual(["'none'"]);
    expect(p.get('connect-src')).toEqual(["'self'"]);
  });

  it('the page has no inline script', () => {
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[1]).toMatch(/\bsrc=/);
      expect(m[2].trim()).toBe('');
    }
  });
});
