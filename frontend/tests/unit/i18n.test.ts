import { describe, expect, it } from 'vitest'
import zhCN from '../../src/i18n/zh-CN'
import en from '../../src/i18n/en'
import schema from '../../../openapi/openapi.json'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

describe('translations', () => {
  it('have the same keys in Chinese and English', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })

  it('label every value of the API enums the SPA shows', () => {
    const schemas = (schema as { components: { schemas: Record<string, { enum?: string[] }> } }).components.schemas
    const shown: [string, keyof typeof zhCN.enums][] = [
      ['Status', 'status'], ['Tier', 'tier'], ['Category', 'category'], ['CompetitionClass', 'class'],
      ['RegistrationStatus', 'registration'], ['Track', 'track'], ['EventMode', 'mode'], ['Gender', 'gender'],
      ['Role', 'role'], ['AwardKind', 'award'], ['AwardStatus', 'awardStatus'], ['Education', 'education'],
      ['CredentialStatus', 'credential'], ['CredentialSource', 'credentialSource'], ['CorrectionStatus', 'correction'],
    ]
    for (const [name, group] of shown) {
      const values = schemas[name]?.enum
      expect(values, name).toBeDefined()
      for (const v of values ?? []) {
        expect(Object.keys(zhCN.enums[group]), `${name}.${v}`).toContain(v)
      }
    }
  })
})
