// The session. The refresh token is an HttpOnly cookie the API sets (scoped to /api/v1/auth):
// no script here can read it, so a script injected into the page cannot carry the session away.
// The access token lives in memory only; after a reload the page asks for a new one with the
// cookie. All that is kept in storage is a hint that there may be a session to resume, so that
// anonymous visitors do not knock on the refresh door on every load.
import { defineStore } from 'pinia'
import { api, ok, type Schemas } from '../api/client'

type Role = Schemas['Role']
const HINT_KEY = 'skillcomp.signedIn'
/** Refresh this long before the access token expires. */
const EARLY_MS = 30_000

export interface Session {
  access: string
  /** When the access token expires (ms since the epoch). */
  accessExpiresAt: number
}

function hinted(): boolean {
  try {
    return localStorage.getItem(HINT_KEY) === '1'
  } catch {
    return false
  }
}

function hint(signedIn: boolean) {
  try {
    if (signedIn) localStorage.setItem(HINT_KEY, '1')
    else localStorage.removeItem(HINT_KEY)
  } catch {
    // Storage may be off (private mode): the session then ends with the page.
  }
}

export function sessionFrom(pair: Schemas['TokenPair'], now = Date.now()): Session {
  return { access: pair.access_token, accessExpiresAt: now + pair.expires_in * 1000 }
}

/** Whether the access token should be refreshed before use. */
export function needsRefresh(session: Session, now = Date.now()): boolean {
  return now >= session.accessExpiresAt - EARLY_MS
}

/** Runs `work` while holding the browser-wide refresh lock, so that two tabs never spend the same
 * refresh token at once (the second would look like a replay and end the session). */
async function oneTabAtATime<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  return locks ? locks.request('skillcomp-refresh', work) : work()
}

export const useAuth = defineStore('auth', {
  state: () => ({
    session: null as Session | null,
    me: null as Schemas['Me'] | null,
    refreshing: null as Promise<void> | null,
    /** Whether the page has tried to resume a session from the cookie yet. */
    resumed: false,
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
      hint(true)
    },
    clear() {
      this.session = null
      this.me = null
      hint(false)
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
    /** Once per page load: picks the session up from the cookie, if there may be one. */
    async resume() {
      if (this.resumed) return
      this.resumed = true
      if (!this.session && hinted()) await this.refresh()
    },
    /** Trades the cookie's refresh token for a new access token; a failure ends the session. */
    async refresh() {
      if (this.refreshing) return this.refreshing
      this.refreshing = (async () => {
        try {
          this.setSession(await oneTabAtATime(() => ok(api.POST('/api/v1/auth/refresh'))))
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
      this.clear()
      await api.POST('/api/v1/auth/logout').catch(() => undefined)
    },
  },
})
