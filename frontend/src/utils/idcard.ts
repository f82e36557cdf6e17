// GB 11643 ID card numbers, checked as the user types (the API checks again and is the authority).

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2']

export type IdCardError = 'length' | 'characters' | 'date' | 'check'

export interface IdCard {
  birthDate: string
  gender: 'male' | 'female'
}

/** The check character of the first 17 digits. */
export function checkChar(first17: string): string {
  const sum = first17.split('').reduce((acc, d, i) => acc + Number(d) * WEIGHTS[i], 0)
  return CHECK[sum % 11]
}

/** Parses a number, or says what is wrong with it. */
export function parseIdCard(input: string): IdCard | IdCardError {
  const n = input.trim().toUpperCase()
  if (n.length !== 18) return 'length'
  if (!/^\d{17}[\dX]$/.test(n)) return 'characters'
  const [y, m, d] = [Number(n.slice(6, 10)), Number(n.slice(10, 12)), Number(n.slice(12, 14))]
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || date > new Date()) {
    return 'date'
  }
  if (checkChar(n.slice(0, 17)) !== n[17]) return 'check'
  return {
    birthDate: `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
    gender: Number(n[16]) % 2 === 1 ? 'male' : 'female',
  }
}

/** 5301**********1234, as the API masks numbers. */
export function maskIdNumber(n: string): string {
  return n.length === 18 ? `${n.slice(0, 4)}${'*'.repeat(10)}${n.slice(14)}` : n
}
