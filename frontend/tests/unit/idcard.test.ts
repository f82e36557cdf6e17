import { describe, expect, it } from 'vitest'
import { checkChar, maskIdNumber, parseIdCard } from '../../src/utils/idcard'

describe('GB 11643 ID card numbers', () => {
  it('accepts a valid number and derives the birth date and gender', () => {
    // The standard's own example: 11010519491231002X, a woman born on 31 December 1949.
    expect(parseIdCard('11010519491231002x')).toEqual({ birthDate: '1949-12-31', gender: 'female' })
    expect(checkChar('11010519491231002')).toBe('X')
  })

  it('names what is wrong as it is typed', () => {
    expect(parseIdCard('1101051949')).toBe('length')
    expect(parseIdCard('11010519491231002Y')).toBe('characters')
    expect(parseIdCard('110105194902300021')).toBe('date')
    expect(parseIdCard('110105194912310021')).toBe('check')
  })

  it('masks as the API does', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X')
  })
})
