import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Served by Elyzor at /dashboard/ (packages/server/src/http/dashboard.ts): same origin as /v1.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), tailwindcss()],
  // Bundled from their sources, so that the dashboard builds before (and without) tsc's output.
  resolve: {
    alias: {
      '@elyzor/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)),
      '@elyzor/contract/names': fileURLToPath(new URL('../contract/src/names.ts', import.meta.url)),
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  // `npm run dev` in this package: Vite's server, with /v1 passed on to an Elyzor on :3000.
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
