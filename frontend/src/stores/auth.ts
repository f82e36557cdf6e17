// The session: tokens kept across reloads (so a refresh never loses the page), refreshed shortly
// before the access token expires (one refresh at a time), and who the caller is.
import { defineStore } from 'pinia'
import { api, ok, type Schemas } from '../api/client'

type Role = Schemas['Role']
const STORAGE_KEY = 'skillcomp.session'
/** Refresh this long before the access token expires. */
const EARLY_MS = 30_000

export interface Session {
  access: string
  refresh: string
  /** When the access token expires (ms since the epoch). */
  accessExpiresAt: number
}

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    return raw ? (JSON.parse(raw) as Session) : null
  } catch {
    return null
  }
}

function save(session: Session | null) {
  if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify(session))
  else localStorage.removeItem(STORAGE_KEY)
}

export function sessionFrom(pair: Schemas['TokenPair'], now = Date.now()): Session {
  return { access: pair.access_token, refresh: pair.refresh_token, accessExpiresAt: now + pair.expires_in * 1000 }
}

/** Whether the access token should be refreshed before use. */
export function needsRefresh(session: Session, now = Date.now()): boolean {
  return now >= session.accessExpiresAt - EARLY_MS
}

export const useAuth = defineStore('auth', {
  state: () => ({
    session: load(),
    me: null as Schemas['Me'] | null,
    refreshing: null as Promise<void> | null,
  }),
  getters: {
    loggedIn: (s) => s.session !== null,
    roles: (s): Set<Role> => new Set((s.me?.grants ?? []).map((g) => g.role)),
  },
  actions: {
    has(role: Role) {
      return this.roles.has(role)
    },
    setSession(pair: Schemas['TokenPair']) {
      this.session = sessionFrom(pair)
      save(this.session)
    },
    clear() {
      this.session = null
      this.me = null
      save(null)
    },
    async login(username: string, password: string) {
      this.setSession(await ok(api.POST('/api/v1/auth/login', { body: { username, password } })))
      await this.loadMe()
    },
    async signup(username: string, password: string) {
      this.setSession(await ok(api.POST('/api/v1/auth/signup', { body: { username, password } })))
      await this.loadMe()
    },
    async loadMe() {
      this.me = this.session ? await ok(api.GET('/api/v1/me')) : null
    },
    /** Trades the refresh token for a new pair; a failure ends the session. */
    async refresh() {
      if (this.refreshing) return this.refreshing
      const current = this.session
      if (!current) return
      this.refreshing = (async () => {
        try {
          this.setSession(await ok(api.POST('/api/v1/auth/refresh', { body: { refresh_token: current.refresh } })))
        } catch {
          this.clear()
        } finally {
          this.refreshing = null
        }
      })()
      return this.refreshing
    },
    async accessToken(): Promise<string | null> {
      if (this.session && needsRefresh(this.session)) await this.refresh()
      return this.session?.access ?? null
    },
    async logout() {
      const current = this.session
      this.clear()
      if (current) await api.POST('/api/v1/auth/logout', { body: { refresh_token: current.refresh } }).catch(() => undefined)
    },
  },
})
