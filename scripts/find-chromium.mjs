/**
 * Finds the system's Chromium/Chrome (for Playwright and the benchmarks) and the Vulkan loader
 * that Node's WebGPU (npm `webgpu`, Dawn) needs. Run directly to print the browser's path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BROWSER_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];
const BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** SwiftShader's Vulkan ICD manifests shipped by Chromium packages (WebGPU without a GPU). */
export const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

const VULKAN_DIRS = [
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib/arm-linux-gnueabihf',
  '/usr/lib64',
  '/usr/lib',
  '/usr/local/lib',
  '/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
];

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** The Chromium/Chrome executable: $PLAYWRIGHT_CHROMIUM_PATH, known paths, then $PATH; or null. */
export function findChromium() {
  const env = process.env.PLAYWRIGHT_CHROMIUM_PATH;
  if (env && existsSync(env)) return env;
  for (const p of BROWSER_PATHS) if (existsSync(p)) return p;
  for (const n of BROWSER_NAMES) {
    const p = onPath(n);
    if (p) return p;
  }
  return null;
}

/** Path of libvulkan.so.1 (the Vulkan loader), or null when the system has none. */
export function findLibVulkan() {
  if (process.platform !== 'linux') return 'n/a';
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /libvulkan\.so\.1\b[^\n]*=>\s*(\S+)/.exec(out);
    if (m && existsSync(m[1])) return m[1];
  } catch {
    // no ldconfig on PATH: fall through to the usual directories
  }
  for (const d of VULKAN_DIRS) {
    const p = join(d, 'libvulkan.so.1');
    if (existsSync(p)) return p;
  }
  return null;
}

export function findSwiftShaderIcd() {
  return SWIFTSHADER_ICDS.find((p) => existsSync(p)) ?? null;
}

/** {id, like} from /etc/os-release, lower-case; empty strings when unknown. */
export function osRelease() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const get = (k) => (new RegExp(`^${k}=("?)([^"\\n]*)\\1$`, 'm').exec(text)?.[2] ?? '').toLowerCase();
    return { id: get('ID'), like: get('ID_LIKE') };
  } catch {
    return { id: '', like: '' };
  }
}

export function isDebianLike() {
  const { id, like } = osRelease();
  return id === 'debian' || id === 'ubuntu' || like.split(/\s+/).includes('debian');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = findChromium();
  if (!found) {
    console.error('No Chromium or Chrome found. Debian/Ubuntu: apt-get install -y chromium libvulkan1');
    process.exit(1);
  }
  console.log(found);
}
