// A real skillcomp server for the browser tests: the debug binary on a fresh SQLite database with
// the demo province (and a small history, for certificates), serving the built SPA.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../../..')

function freePort() {
  return new Promise((done) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => done(port))
    })
  })
}

export async function startServer() {
  const binary = process.env.SKILLCOMP_BIN ? resolve(process.env.SKILLCOMP_BIN) : join(root, 'target/debug/skillcomp')
  const dir = mkdtempSync(join(tmpdir(), 'skillcomp-e2e-'))
  const port = await freePort()
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, 'e2e.db')}`,
    SKILLCOMP_BIND: `127.0.0.1:${port}`,
    SKILLCOMP_JWT_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456789',
    SKILLCOMP_STATIC_DIR: join(root, 'frontend/dist'),
    SKILLCOMP_DEMO_HISTORY: '300',
    // One browser logs in as many people from one address within minutes.
    SKILLCOMP_LOGIN_PER_IP: 'off',
    SKILLCOMP_SIGNUP_PER_IP: 'off',
    SKILLCOMP_PUBLIC_URL: `http://127.0.0.1:${port}`,
    RUST_LOG: 'warn',
  }
  execFileSync(binary, ['seed-demo'], { cwd: dir, env, stdio: 'ignore' })
  const accounts = Object.fromEntries(
    readFileSync(join(dir, 'data/demo-accounts.txt'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.trim())
      .map((l) => l.split(/\s+/).slice(0, 2)),
  )
  const child = spawn(binary, ['serve'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] })
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { base, accounts, stop: () => child.kill('SIGTERM') }
}
