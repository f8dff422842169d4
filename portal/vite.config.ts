// The merchant portal's build: a static SPA served by the gateway under /portal (gateway/src/portal).
// Every emitted asset is content-hashed (long-cached, immutable); only index.html is not. No inline
// script or style is emitted (the gateway's CSP forbids them): the module preload polyfill, which
// Vite would inline into index.html, is off (every browser the portal supports preloads modules).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    modulePreload: { polyfill: false },
    // Inline data: URIs would be fine under img-src 'self' data:, but not for fonts or scripts.
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // `npm run dev -w portal` against a running `npm start` (port 4000 by default).
    proxy: {
      '/graphql': { target: process.env.HANDOFF_URL ?? 'http://localhost:4000', ws: true },
      '/portal/api': { target: process.env.HANDOFF_URL ?? 'http://localhost:4000' },
    },
  },
});
