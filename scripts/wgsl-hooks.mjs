import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (url.includes('.wgsl')) {
    const clean = new URL(url);
    clean.search = '';
    const text = await readFile(clean, 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return next(url, context);
}
