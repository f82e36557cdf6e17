// The marking scheme's arithmetic, checked live in the editor as the API checks it on saving
// (domain::scoring::check_section, check_module_weights): a detailed section's marks total 100
// (deductions aside), and once one module of a kind has a weight, all of that kind do, adding up to 100.
import type { Schemas } from '../api/client'

export type Section = Schemas['SchemeSection']
export type Aspect = Schemas['AspectSpec']

/** The marks a section's aspects give (deductions take away, so they do not count). */
export function sectionTotal(section: Section): number {
  const sum = (section.criteria ?? []).flatMap((c) => c.aspects).filter((a) => a.kind !== 'deduction').reduce((s, a) => s + (Number(a.max) || 0), 0)
  return Math.round(sum * 100) / 100
}

/** One problem of the document, by the key of its message and where it is. */
export interface SchemeIssue {
  code: 'section_total_not_100' | 'weights_not_100' | 'weight_required' | 'criterion_empty' | 'descriptors_required' | 'description_required' | 'max_out_of_range' | 'no_sections' | 'outline_mixed'
  section?: number
  total?: number
}

/** Everything that keeps the document from being saved as a complete scheme. */
export function schemeIssues(sections: Section[]): SchemeIssue[] {
  const issues: SchemeIssue[] = []
  if (!sections.length) issues.push({ code: 'no_sections' })
  const detailed = sections.some((s) => (s.criteria ?? []).length > 0)
  sections.forEach((s, i) => {
    const criteria = s.criteria ?? []
    if (detailed && !criteria.length) issues.push({ code: 'outline_mixed', section: i })
    for (const c of criteria) {
      if (!c.aspects.length || !c.name.trim()) issues.push({ code: 'criterion_empty', section: i })
      for (const a of c.aspects) {
        if (!a.description.trim()) issues.push({ code: 'description_required', section: i })
        if (!(a.max > 0 && a.max <= 100)) issues.push({ code: 'max_out_of_range', section: i })
        if (a.kind === 'judgement' && (a.descriptors ?? []).filter((d) => d.trim()).length !== 4) issues.push({ code: 'descriptors_required', section: i })
      }
    }
    if (criteria.length && sectionTotal(s) !== 100) issues.push({ code: 'section_total_not_100', section: i, total: sectionTotal(s) })
  })
  for (const kind of ['theory', 'practical'] as const) {
    const ofKind = sections.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === kind)
    if (ofKind.every(({ s }) => s.weight == null)) continue
    for (const { s, i } of ofKind) if (s.weight == null) issues.push({ code: 'weight_required', section: i })
    const total = ofKind.reduce((sum, { s }) => sum + (s.weight ?? 0), 0)
    if (ofKind.every(({ s }) => s.weight != null) && total !== 100) issues.push({ code: 'weights_not_100', total })
  }
  return issues
}

/** Whether the document is a complete scheme: every section detailed and nothing wrong. */
export function isComplete(sections: Section[]): boolean {
  return sections.length > 0 && sections.every((s) => (s.criteria ?? []).length > 0) && schemeIssues(sections).length === 0
}

/** A new aspect of a kind, with the four judgement descriptors to fill in. */
export function newAspect(kind: Aspect['kind'] = 'measurement'): Aspect {
  return { description: '', kind, max: kind === 'deduction' ? 5 : 10, tolerance: null, descriptors: kind === 'judgement' ? ['', '', '', ''] : [] }
}

/** The outline a new scheme starts from: the sections the event's weights call for. */
export function startingSections(weights: { theory: number; practical: number }): Section[] {
  const sections: Section[] = []
  if (weights.theory > 0) sections.push({ name: '理论知识', kind: 'theory', criteria: [{ name: '理论试卷', aspects: [{ ...newAspect(), description: '理论知识试卷', max: 100 }] }] })
  if (weights.practical > 0) sections.push({ name: '实操模块A', kind: 'practical', criteria: [{ name: '', aspects: [newAspect()] }] })
  return sections
}

/** The document as the API takes it: judgement descriptors only on judgement aspects, no empty tolerances. */
export function toInput(title: string, sections: Section[], options: { judgement_spread_limit?: number | null; drop_extremes?: boolean | null }): Schemas['MarkingSchemeInput'] {
  return {
    title: title.trim(),
    ...options,
    sections: sections.map((s) => ({
      name: s.name.trim(),
      kind: s.kind,
      weight: s.weight ?? null,
      criteria: (s.criteria ?? []).map((c) => ({
        name: c.name.trim(),
        aspects: c.aspects.map((a) => ({
          description: a.description.trim(),
          kind: a.kind,
          max: Number(a.max),
          tolerance: a.tolerance?.trim() || null,
          descriptors: a.kind === 'judgement' ? (a.descriptors ?? []).map((d) => d.trim()) : [],
        })),
      })),
    })),
  }
}
