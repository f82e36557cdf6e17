import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { memoryStore, useMarkQueue, type QueuedSheet } from '../../src/stores/markQueue'
import { ApiProblem } from '../../src/api/client'

const mark = (station: number, value: number) => ({ aspect_id: 'a1', station_number: station, value })

describe('the judge’s mark queue', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('keeps sheets while the network is down and sends them, in order, with their keys, when it is back', async () => {
    const sent: QueuedSheet[] = []
    let online = false
    const queue = useMarkQueue()
    queue.use(memoryStore(), async (sheet) => {
      if (!online) throw new TypeError('Failed to fetch')
      sent.push(sheet)
    })
    await queue.save('e1', [mark(1, 8.5)])
    await queue.save('e1', [mark(2, 7)])
    expect(queue.unsynced).toBe(2)
    expect(sent).toHaveLength(0)
    online = true
    await queue.sync()
    expect(queue.unsynced).toBe(0)
    expect(sent.map((s) => s.marks[0].station_number)).toEqual([1, 2])
    expect(new Set(sent.map((s) => s.key)).size).toBe(2)
  })

  it('holds a sheet the API refuses, with the problem, and does not retry it', async () => {
    let calls = 0
    const queue = useMarkQueue()
    queue.use(memoryStore(), async () => {
      calls++
      throw new ApiProblem(412, 'precondition_failed', 'stale')
    })
    await queue.save('e1', [mark(1, 9)])
    await queue.sync()
    expect(calls).toBe(1)
    expect(queue.unsynced).toBe(0)
    expect(queue.refused[0].refused).toEqual({ status: 412, code: 'precondition_failed' })
  })

  it('retries after a server error or rate limit', async () => {
    let fail = true
    const queue = useMarkQueue()
    queue.use(memoryStore(), async () => {
      if (fail) throw new ApiProblem(503, 'unavailable', '')
    })
    await queue.save('e1', [mark(1, 9)])
    expect(queue.unsynced).toBe(1)
    fail = false
    await queue.sync()
    expect(queue.unsynced).toBe(0)
  })
})
