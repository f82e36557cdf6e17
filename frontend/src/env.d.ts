/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

interface ImportMetaEnv {
  /** The API's origin when the SPA is hosted on its own; empty when the API serves it. */
  readonly VITE_API_BASE?: string
}
