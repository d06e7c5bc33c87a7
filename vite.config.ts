import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import packageJson from './package.json';
import { CONTENT_SECURITY_POLICY } from './shells/common/csp';

/**
 * The page's CSP meta tag, from the one policy the main process also sends
 * as a header (frame-ancestors only works as a header, so it is left out).
 */
function cspMeta(): Plugin {
  const meta = CONTENT_SECURITY_POLICY.split('; ')
    .filter((d) => !d.startsWith('frame-ancestors'))
    .join('; ');
  return {
    name: 'clusterdeck-csp',
    transformIndexHtml: (html) => html.replace('%CLUSTERDECK_CSP%', meta),
  };
}

// The renderer is built to static files that both the Electron window
// (app://clusterdeck) and the browser shell serve, hence the relative base.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react(), tailwindcss(), cspMeta()],
  // Help shows which build this is; package.json is the one place it is kept.
  define: { __APP_VERSION__: JSON.stringify(packageJson.version) },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // noVNC alone is ~300 kB; one chunk is right for a local app.
    chunkSizeWarningLimit: 1500,
  },
});
