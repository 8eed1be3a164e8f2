import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// The app is static: dev server and preview serve from localhost (a secure context, so
// navigator.gpu exists). The Content-Security-Policy lives in index.html (a meta tag) and is
// what the build ships: no inline script, no eval.

/**
 * The dev server injects CSS as <style> elements from JS (hot reload), which the shipped
 * policy's style-src 'self' blocks. In dev only, allow inline styles; scripts stay 'self'.
 */
function devCsp(): Plugin {
  return {
    name: 'dev-csp-inline-styles',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  plugins: [react(), devCsp()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { port: 5173, host: 'localhost' },
  preview: { port: 4173, host: 'localhost' },
});
