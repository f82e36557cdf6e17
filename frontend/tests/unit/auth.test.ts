import { beforeEach, describe, expect, it } from 'vitest'
import { needsRefresh, sessionFrom } from '../../src/stores/auth'
import { ApiProblem, toProblem } from '../../src/api/client'
import { problemText } from '../../src/i18n'

describe('the session', () => {
  beforeEach(() => localStorage.clear())

  it('refreshes the access token shortly before it expires, not before', () => {
    const session = sessionFrom({ access_token: 'a', expires_in: 900, refresh_expires_in: 3600, token_type: 'Bearer' }, 1_000_000)
    expect(session.accessExpiresAt).toBe(1_900_000)
    expect(needsRefresh(session, 1_000_000)).toBe(false)
    expect(needsRefresh(session, 1_869_999)).toBe(false)
    expect(needsRefresh(session, 1_870_000)).toBe(true)
  })
})

describe('problems', () => {
  const messages: Record<string, string> = {
    'errors.invalid_credentials': '用户名或密码错误',
    'errors.id_number_registered': '该身份证号码已被登记',
    'errors.status.409': '当前状态下不能执行此操作',
    'errors.generic': '操作未能完成（{code}）',
  }
  const t = (key: string, named?: Record<string, unknown>) =>
    (messages[key] ?? key).replace('{code}', String(named?.code ?? ''))
  const te = (key: string) => key in messages

  it('are shown by their code, translated, never by the English detail', () => {
    const p = toProblem(401, { code: 'invalid_credentials', detail: 'wrong username or password', status: 401 })
    expect(p).toBeInstanceOf(ApiProblem)
    expect(problemText(t, te, p)).toBe('用户名或密码错误')
  })

  it('use the first field error of a validation problem, and name the field', () => {
    const p = toProblem(422, {
      code: 'validation_failed', detail: 'id_number: taken',
      errors: [{ field: 'id_number', code: 'id_number_registered', message: 'taken' }],
    })
    expect(problemText(t, te, p)).toBe('该身份证号码已被登记')
    expect(p.fieldError('id_number')?.code).toBe('id_number_registered')
  })

  it('fall back to the status, then to the code', () => {
    expect(problemText(t, te, toProblem(409, { code: 'something_new' }))).toBe('当前状态下不能执行此操作')
    expect(problemText(t, te, toProblem(418, { code: 'teapot' }))).toBe('操作未能完成（teapot）')
  })
})
