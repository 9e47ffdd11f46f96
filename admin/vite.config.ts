import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// No @vitejs/plugin-react: Vite's built-in esbuild compiles TSX with the automatic JSX runtime.
// During `npm run dev -w admin`, API calls are proxied to a Strapi started with `npm start`.
const apiTarget = process.env.API_URL || 'http://localhost:1337';

export default defineConfig({
    base: '/',
    esbuild: { jsx: 'automatic' },
    build: {
        outDir: 'dist',
        emptyOutDir: true,
        chunkSizeWarningLimit: 2000,
        rollupOptions: {
            // two pages: the panel (index.html, served at /) and the guardians' page (guardian.html, served at /guardian)
            input: { main: resolve(__dirname, 'index.html'), guardian: resolve(__dirname, 'guardian.html') },
            onwarn(warning, warn) {
                // MUI and react-query mark their modules "use client"; meaningless in a SPA bundle.
                if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
                warn(warning);
            },
        },
    },
    server: {
        proxy: {
            '/api': apiTarget,
            '/ra': apiTarget,
        },
    },
});
