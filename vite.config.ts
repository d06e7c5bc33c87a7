import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built to static files that both the Electron window
// (file://) and the browser shell serve, hence the relative base.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // noVNC alone is ~300 kB; one chunk is right for a local app.
    chunkSizeWarningLimit: 1500,
  },
});
