import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The SPA is served by the API process from dist/ (one URL), or as its own static site with
// VITE_API_BASE pointing at the API (which must list this site's origin in SKILLCOMP_CORS_ORIGINS).
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components and their styles, imported on demand as templates use them.
    Components({ resolvers: [ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.mjs'],
  },
})
