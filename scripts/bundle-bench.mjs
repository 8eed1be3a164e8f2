// `npm run bench:bundle`: bench/main.ts and everything it imports (the engine, its shaders, TF.js)
// as Node modules in out/bench (main.mjs; also profile.mjs and costs.mjs, bench:profile and
// bench:costs), for two uses: the Node side-by-side (`--node-tfjs`),
// since TF.js's ES modules load only through a bundler (they import directories and files without
// extensions), and machines that have a GPU and Node but no npm install (copy the file and
// node_modules/webgpu). The browser part (Vite, Playwright) and the native `webgpu` package stay
// outside: run the bundle with --node-only.
//   npm run bench:bundle [-- --out DIR] && node out/bench/main.mjs --node-only --node-tfjs [--json FILE]
import { build } from 'vite';

const outAt = process.argv.indexOf('--out');
const outDir = outAt >= 0 ? process.argv[outAt + 1] : 'out/bench';

const external = ['webgpu', 'vite', 'playwright-core', /^node:/];
await build({
  configFile: false,
  publicDir: false,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['webgpu', 'vite', 'playwright-core'] },
  build: {
    ssr: true,
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: {
      input: { main: 'bench/main.ts', profile: 'bench/profile.ts', costs: 'bench/adapter_costs.ts' },
      external,
      output: { entryFileNames: '[name].mjs', chunkFileNames: '[name].mjs' },
    },
  },
});
console.log(`wrote ${outDir}/main.mjs, profile.mjs and costs.mjs (and the chunks they load)`);
