import { describe, expect, it } from 'vitest'
import { landingAfterLogin, menuFor } from '../../src/menu'

const paths = (roles: string[], profile = false) => menuFor(new Set(roles) as never, profile).flatMap((g) => g.items.map((i) => i.to))

describe('each role has its own menu and start page', () => {
  it('gives a contestant their own pages and nothing of the organisers', () => {
    const p = paths(['contestant'], true)
    expect(p).toContain('/me/registrations')
    expect(p).not.toContain('/manage')
    expect(p).not.toContain('/awards')
  })

  it('gives an organiser the management pages and a judge the sheets, not the reverse', () => {
    expect(paths(['organiser'])).toEqual(expect.arrayContaining(['/home', '/manage', '/manage/accounts', '/dashboard']))
    expect(paths(['organiser'])).not.toContain('/judging')
    expect(paths(['judge'])).toContain('/judging')
    expect(paths(['judge'])).not.toContain('/manage')
  })

  it('gives an official the awards to certify and the statistics', () => {
    expect(paths(['official'])).toEqual(expect.arrayContaining(['/awards', '/dashboard']))
  })

  it('lands on the start page, or where the person was going on this site only', () => {
    expect(landingAfterLogin(undefined)).toBe('/home')
    expect(landingAfterLogin('/manage/competitions/1')).toBe('/manage/competitions/1')
    expect(landingAfterLogin('//evil.example/x')).toBe('/home')
    expect(landingAfterLogin('https://evil.example/')).toBe('/home')
  })
})
