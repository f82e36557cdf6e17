// The browser stories do through the pages everything a page does: the harness may start the
// server and read the demo accounts it printed, nothing else. A story that calls the API (to set
// something up or to read an answer) hides a missing screen, so any way of calling it fails here.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const dir = join(import.meta.dirname, '../e2e')
const stories = readFileSync(join(dir, 'run.mjs'), 'utf8')
const harness = readFileSync(join(dir, 'server.mjs'), 'utf8')

/** Ways a node script or a page script can reach the server without a person's click. */
const calls = [
  [/\bfetch\s*\(/g, 'fetch('],
  [/\/api\/v1/g, 'an /api/v1 address'],
  [/\.request\b/g, "playwright's request context"],
  [/XMLHttpRequest|sendBeacon|WebSocket/g, 'a script-made request'],
  [/\bhttp\.request|\bhttp\.get\b|node:http['"]/g, "node's http client"],
  [/\bexec(File)?(Sync)?\s*\(\s*['"`](curl|wget|sqlite3|psql)/g, 'a command-line client'],
  [/route\s*\(/g, 'a request intercepted and answered by the test'],
]

function found(source) {
  return calls.flatMap(([pattern, what]) => [...source.matchAll(pattern)].map((m) => `${what} at offset ${m.index}: ${source.slice(m.index, m.index + 60)}`))
}

describe('the browser stories', () => {
  it('never call the API themselves', () => {
    // The one line that replaces fetch to forbid it is the only mention allowed.
    const stripped = stories.replace(/globalThis\.fetch = \(\) => \{[^}]*\}/, '')
    expect(found(stripped)).toEqual([])
  })

  it('forbid the harness fetch once the server is up', () => {
    expect(stories).toMatch(/const server = await startServer\(\)\n(?:\/\/.*\n)*globalThis\.fetch = \(\) => \{\n\s*throw/)
  })

  it('let the harness only wait for the server to be ready', () => {
    const requests = [...harness.matchAll(/fetch\s*\(([^)]*)\)/g)].map((m) => m[1])
    expect(requests).toEqual(['`${base}/readyz`'])
    expect(found(harness.replace(/fetch\(`\$\{base\}\/readyz`\)/, ''))).toEqual([])
  })

  it('catch a story that calls the API (the check itself can fail)', () => {
    expect(found("await fetch(`${base}/api/v1/competitions`)").length).toBe(2)
    expect(found("await page.request.get('/x')").length).toBe(1)
    expect(found("await page.evaluate(() => new XMLHttpRequest())").length).toBe(1)
  })
})
