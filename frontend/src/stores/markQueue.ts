// Marks a judge saves go to a queue on the device first (IndexedDB), then to the API with an
// Idempotency-Key each: a tablet that loses the network loses nothing, shows what is still
// unsynced, and sends it when the network is back. A sheet the API refuses (a stale version, a
// mark out of range) stays in the queue, marked with the problem, for the judge to see.
import { defineStore } from 'pinia'
import { api, ApiProblem, toProblem, type Schemas } from '../api/client'

export interface QueuedSheet {
  /** The Idempotency-Key: a retry after a lost answer saves nothing twice. */
  key: string
  eventId: string
  marks: Schemas['MarkInput'][]
  queuedAt: number
  /** The API's refusal, when it refused (then it is not retried). */
  refused?: { status: number; code: string }
}

/** Where queued sheets are kept: IndexedDB in the browser, memory in unit tests. */
export interface SheetStore {
  all(): Promise<QueuedSheet[]>
  put(sheet: QueuedSheet): Promise<void>
  remove(key: string): Promise<void>
}

export function memoryStore(): SheetStore {
  const sheets = new Map<string, QueuedSheet>()
  return {
    all: async () => [...sheets.values()].sort((a, b) => a.queuedAt - b.queuedAt),
    put: async (s) => void sheets.set(s.key, s),
    remove: async (k) => void sheets.delete(k),
  }
}

export function indexedDbStore(name = 'skillcomp-marks'): SheetStore {
  const open = () =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore('sheets', { keyPath: 'key' })
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
  const run = async <T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>) => {
    const db = await open()
    return new Promise<T>((resolve, reject) => {
      const request = work(db.transaction('sheets', mode).objectStore('sheets'))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
  }
  return {
    all: async () => ((await run('readonly', (s) => s.getAll())) as QueuedSheet[]).sort((a, b) => a.queuedAt - b.queuedAt),
    put: async (sheet) => void (await run('readwrite', (s) => s.put(sheet))),
    remove: async (key) => void (await run('readwrite', (s) => s.delete(key))),
  }
}

/** Sends one sheet; a network failure is thrown as is (the sheet stays queued). */
export type Send = (sheet: QueuedSheet) => Promise<void>

export const sendSheet: Send = async (sheet) => {
  const { error, response } = await api.POST('/api/v1/events/{id}/judging/marks', {
    params: { path: { id: sheet.eventId }, header: { 'Idempotency-Key': sheet.key } },
    body: { marks: sheet.marks },
  })
  if (!response.ok) throw toProblem(response.status, error)
}

export const useMarkQueue = defineStore('markQueue', {
  state: () => ({
    sheets: [] as QueuedSheet[],
    syncing: false,
    store: null as SheetStore | null,
    send: sendSheet as Send,
  }),
  getters: {
    unsynced: (s) => s.sheets.filter((x) => !x.refused).length,
    refused: (s) => s.sheets.filter((x) => x.refused),
  },
  actions: {
    use(store: SheetStore, send: Send = sendSheet) {
      this.store = store
      this.send = send
    },
    async load() {
      this.store ??= typeof indexedDB === 'undefined' ? memoryStore() : indexedDbStore()
      this.sheets = await this.store.all()
    },
    /** Keeps the sheet on the device, then tries to send everything queued. */
    async save(eventId: string, marks: Schemas['MarkInput'][]) {
      await this.load()
      const sheet: QueuedSheet = { key: crypto.randomUUID(), eventId, marks, queuedAt: Date.now() }
      await this.store!.put(sheet)
      this.sheets.push(sheet)
      await this.sync()
    },
    /** Sends queued sheets in order; stops at the first network failure. */
    async sync() {
      if (this.syncing) return
      this.syncing = true
      try {
        await this.load()
        for (const sheet of this.sheets.filter((s) => !s.refused)) {
          try {
            await this.send(sheet)
            await this.store!.remove(sheet.key)
          } catch (e) {
            if (e instanceof ApiProblem && e.status < 500 && e.status !== 429) {
              sheet.refused = { status: e.status, code: e.code }
              await this.store!.put({ ...sheet, marks: [...sheet.marks] })
              continue
            }
            break
          }
        }
        this.sheets = await this.store!.all()
      } finally {
        this.syncing = false
      }
    },
    async discard(key: string) {
      await this.store?.remove(key)
      this.sheets = this.sheets.filter((s) => s.key !== key)
    },
  },
})
