/** package.json's version, defined by vite.config.ts at build time (absent in unit tests). */
declare const __APP_VERSION__: string | undefined;
