// Fails when src/api/schema.d.ts is not what openapi/openapi.json generates (run `npm run api`).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const fresh = join(mkdtempSync(join(tmpdir(), 'skillcomp-api-')), 'schema.d.ts')
execFileSync('npx', ['openapi-typescript', '../openapi/openapi.json', '-o', fresh], { stdio: 'ignore' })
if (readFileSync(fresh, 'utf8') !== readFileSync('src/api/schema.d.ts', 'utf8')) {
  console.error('src/api/schema.d.ts is stale: run `npm run api` in frontend/ and commit it')
  process.exit(1)
}
console.log('the API client types match openapi/openapi.json')
