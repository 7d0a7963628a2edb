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
  },
  server: { host: '127.0.0.1' },
});
