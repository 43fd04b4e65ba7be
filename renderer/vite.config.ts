// Vite build of the Svelte renderer: root is renderer/, output dist/renderer, relative base for app:// and browser mode.
// Invariant: no inline script in the output (CSP `script-src 'self'`), so the modulepreload polyfill stays off.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** This folder as a filesystem path, without Node built-ins (the renderer layer may not import them). */
function hereDir(): string {
  const path = decodeURIComponent(new URL('.', import.meta.url).pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

export default defineConfig({
  root: hereDir(),
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
