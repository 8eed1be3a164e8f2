/** Locate a Chromium/Chrome binary (override with PLAYWRIGHT_CHROMIUM_PATH). */
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
];

export function findChromium(): string {
  const env = process.env.PLAYWRIGHT_CHROMIUM_PATH;
  if (env && existsSync(env)) return env;
  const hit = CANDIDATES.find((p) => existsSync(p));
  if (!hit)
    throw new Error(
      'No Chromium found: install it (Debian: apt-get install -y chromium) or set PLAYWRIGHT_CHROMIUM_PATH.',
    );
  return hit;
}
