import { describe, expect, it } from 'vitest'
import { isComplete, newAspect, schemeIssues, sectionTotal, startingSections, toInput, type Section } from '../../src/utils/scheme'

const measured = (max: number) => ({ ...newAspect('measurement'), description: '外圆', max })
const judged = (max: number) => ({ ...newAspect('judgement'), description: '表面质量', max, descriptors: ['不合格', '合格', '良好', '优秀'] })
const deduction = (max: number) => ({ ...newAspect('deduction'), description: '违规', max })
const section = (name: string, kind: 'theory' | 'practical', aspects: ReturnType<typeof newAspect>[], weight?: number): Section => ({ name, kind, weight, criteria: [{ name: '评分项', aspects }] })

describe('the marking scheme editor checks as the API does', () => {
  it('totals a section without its deductions', () => {
    expect(sectionTotal(section('A', 'practical', [measured(60), judged(40), deduction(10)]))).toBe(100)
    expect(sectionTotal(section('A', 'practical', [measured(33.33), measured(33.33), measured(33.34)]))).toBe(100)
  })

  it('names a section that does not total 100 and weights that do not add up', () => {
    const sections = [section('理论', 'theory', [measured(100)]), section('模块A', 'practical', [measured(55)], 60), section('模块B', 'practical', [measured(100)], 30)]
    const codes = schemeIssues(sections).map((i) => i.code)
    expect(codes).toContain('section_total_not_100')
    expect(codes).toContain('weights_not_100')
    expect(isComplete(sections)).toBe(false)
  })

  it('wants every module of a kind weighted once one is', () => {
    const sections = [section('模块A', 'practical', [measured(100)], 60), section('模块B', 'practical', [measured(100)])]
    expect(schemeIssues(sections)).toEqual([{ code: 'weight_required', section: 1 }])
  })

  it('wants four descriptors on a judgement aspect', () => {
    const bare = { ...judged(100), descriptors: ['差', '', '', ''] }
    expect(schemeIssues([section('模块A', 'practical', [bare])]).map((i) => i.code)).toEqual(['descriptors_required'])
  })

  it('calls a scheme complete only with aspects in every section and nothing wrong', () => {
    const good = [section('理论', 'theory', [measured(100)]), section('模块A', 'practical', [measured(70), judged(30)], 60), section('模块B', 'practical', [measured(100), deduction(5)], 40)]
    expect(schemeIssues(good)).toEqual([])
    expect(isComplete(good)).toBe(true)
    expect(isComplete([{ name: '实操', kind: 'practical', criteria: [] }])).toBe(false)
  })

  it('starts from the sections the event weighs', () => {
    expect(startingSections({ theory: 0, practical: 100 }).map((s) => s.kind)).toEqual(['practical'])
    expect(startingSections({ theory: 30, practical: 70 }).map((s) => s.kind)).toEqual(['theory', 'practical'])
  })

  it('sends descriptors only with judgement aspects and trims text', () => {
    const input = toInput(' 车工评分标准 ', [section(' 模块A ', 'practical', [{ ...measured(100), descriptors: ['x'], tolerance: ' ' }])], { drop_extremes: true })
    expect(input.title).toBe('车工评分标准')
    expect(input.sections[0].name).toBe('模块A')
    expect(input.sections[0].criteria![0].aspects[0]).toEqual({ description: '外圆', kind: 'measurement', max: 100, tolerance: null, descriptors: [] })
  })
})
