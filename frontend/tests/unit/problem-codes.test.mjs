// Every problem code the API can send has a message in both languages: read from the API's own
// source (each ApiError and Violation with a literal code), so a new code without a message fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import zhCN from '../../src/i18n/zh-CN'
import en from '../../src/i18n/en'

function rustFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? rustFiles(join(dir, e.name)) : e.name.endsWith('.rs') ? [join(dir, e.name)] : []))
}

const patterns = [
  /ApiError::(?:conflict|bad_request)\(\s*"([a-z_0-9]+)"/g,
  /ApiError::field\(\s*(?:&?format!\([^;]*?\)|&?[a-z_]+\("[^"]*"\)|&?[a-z_.]+|"[^"]*"|&[a-z_]+\[[^\]]*\]\.[a-z_]+)\s*,\s*"([a-z_0-9]+)"/g,
  /Violation::new\(\s*(?:&?format!\((?:[^()]|\([^()]*\))*\)|&?[A-Za-z_.:[\]0-9]+|"[^"]*")\s*,\s*"([a-z_0-9]+)"/g,
]

const codes = new Set()
for (const file of rustFiles(join(import.meta.dirname, '../../../backend/src'))) {
  const source = readFileSync(file, 'utf8')
  for (const p of patterns) for (const m of source.matchAll(p)) codes.add(m[1])
}

describe('problem codes', () => {
  it('are found in the API source', () => {
    // A broken extraction would pass the checks below vacuously.
    expect(codes.size).toBeGreaterThan(150)
    expect(codes).toContain('scheme_incomplete')
    expect(codes).toContain('separation_of_duties')
    expect(codes).toContain('rank_mismatch')
  })

  it('each have a Chinese and an English message', () => {
    const missing = (messages) => [...codes].filter((c) => !(c in messages)).sort()
    expect(missing(zhCN.errors)).toEqual([])
    expect(missing(en.errors)).toEqual([])
  })
})
