// The one typed API client, generated from openapi/openapi.json (src/api/schema.d.ts is written by
// `npm run api`; a check fails when it is stale). No request or response type is written by hand.
import createClient, { type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema'

export type Schemas = components['schemas']

export const API_BASE: string = import.meta.env.VITE_API_BASE ?? ''

/** A problem+json answer (RFC 9457) as the API sends it: a stable code and the fields at fault. */
export class ApiProblem extends Error {
  constructor(
    public status: number,
    public code: string,
    public detail: string,
    public errors: { field: string; code: string; message: string }[] = [],
    public extra: Record<string, unknown> = {},
  ) {
    super(detail || code)
  }

  /** The error of one field, for forms. */
  fieldError(field: string) {
    return this.errors.find((e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`))
  }
}

/** Turns any answer body that is not a success into an ApiProblem. */
export function toProblem(status: number, body: unknown): ApiProblem {
  const b = (body ?? {}) as Record<string, unknown>
  const errors = Array.isArray(b.errors) ? (b.errors as ApiProblem['errors']) : []
  const extra = (b.extra && typeof b.extra === 'object' ? b.extra : {}) as Record<string, unknown>
  return new ApiProblem(status, String(b.code ?? `http_${status}`), String(b.detail ?? ''), errors, extra)
}

/** Where the auth store plugs in: the current access token, made fresh when it is about to expire. */
export interface TokenSource {
  accessToken(): Promise<string | null>
}

let tokens: TokenSource | null = null
export function useTokens(source: TokenSource) {
  tokens = source
}

const authenticate: Middleware = {
  async onRequest({ request }) {
    // The token endpoints carry their own credentials (and refreshing must not wait on itself).
    if (new URL(request.url, 'http://x').pathname.startsWith('/api/v1/auth/')) return request
    const token = tokens ? await tokens.accessToken() : null
    if (token && !request.headers.has('Authorization')) {
      request.headers.set('Authorization', `Bearer ${token}`)
    }
    return request
  },
}

// Revalidate with the API each time: what the API answers depends on who asks.
// Served from another origin than the API, the session cookie goes along only when asked for.
export const api = createClient<paths>({ baseUrl: API_BASE, cache: 'no-cache', credentials: API_BASE ? 'include' : 'same-origin' })
api.use(authenticate)

/** The data of a call, or throws its problem. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (error !== undefined || !response.ok) {
    throw toProblem(response.status, error)
  }
  return data as T
}

/** Downloads a file the API makes (xlsx, csv, html) with the caller's token. */
export async function download(path: string, filename: string) {
  const token = tokens ? await tokens.accessToken() : null
  const response = await fetch(`${API_BASE}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!response.ok) {
    throw toProblem(response.status, await response.json().catch(() => ({})))
  }
  const url = URL.createObjectURL(await response.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  URL.revokeObjectURL(url)
}

/** Posts a file's bytes (a roster .xlsx, a marking scheme) with the caller's token. */
export async function postBytes<T>(path: string, bytes: ArrayBuffer, contentType: string): Promise<T> {
  const token = tokens ? await tokens.accessToken() : null
  const response = await fetch(`${API_BASE}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': contentType, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: bytes,
  })
  const body = await response.json().catch(() => ({}))
  if (!response.ok) throw toProblem(response.status, body)
  return body as T
}

/** An HTML page the API renders (准考证, certificate), opened in a new window with the token. */
export async function openHtml(path: string) {
  const token = tokens ? await tokens.accessToken() : null
  const response = await fetch(`${API_BASE}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!response.ok) {
    throw toProblem(response.status, await response.json().catch(() => ({})))
  }
  const html = await response.text()
  const page = window.open('', '_blank')
  if (page) {
    page.document.open()
    page.document.write(html)
    page.document.close()
  }
}
