import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is static: dev server and preview serve from localhost (a secure context, so
// navigator.gpu exists). The Content-Security-Policy lives in index.html.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { port: 5173, host: 'localhost' },
  preview: { port: 4173, host: 'localhost' },
});
