// Reference data every page uses (regions, the trade catalogue), loaded once.
import { defineStore } from 'pinia'
import { api, ok, type Schemas } from '../api/client'

export const useReference = defineStore('reference', {
  state: () => ({
    regions: [] as Schemas['Region'][],
    trades: [] as Schemas['TradeOut'][],
    loaded: null as Promise<void> | null,
  }),
  getters: {
    prefectures: (s) => s.regions.filter((r) => r.level === 'prefecture'),
  },
  actions: {
    load() {
      this.loaded ??= (async () => {
        const [regions, trades] = await Promise.all([
          ok(api.GET('/api/v1/regions')),
          ok(api.GET('/api/v1/trades', { params: { query: { limit: 200 } } })),
        ])
        this.regions = regions
        this.trades = trades.items
      })()
      return this.loaded
    },
    regionName(code: string | null | undefined) {
      return this.regions.find((r) => r.code === code)?.name ?? code ?? ''
    },
  },
})
