import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// `npm run build` = `vite build frontend`: this directory is the root, the output goes to frontend/dist.
export default defineConfig({
  // Relative asset URLs: the same build works at a CloudFront root and behind the local stack.
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Two pages: the admin site, and the API reference rendered from the API's /openapi.json.
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        reference: fileURLToPath(new URL('./api-reference.html', import.meta.url)),
      },
    },
  },
  server: { host: '127.0.0.1' },
});
