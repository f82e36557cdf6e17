// Runs the Vitest unit tests and prints a cargo-style summary line that make test counts.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'

mkdirSync('test-output', { recursive: true })
const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-output/vitest.json'], {
  stdio: 'inherit',
})
let passed = 0
let failed = 0
try {
  const report = JSON.parse(readFileSync('test-output/vitest.json', 'utf8'))
  passed = report.numPassedTests
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0)
} catch {
  failed = 1
}
console.log(`vitest: test result: ${failed || run.status ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed`)
process.exit(run.status ?? 1)
