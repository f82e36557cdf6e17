import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { ApiProblem } from '../api/client'

export type Locale = 'zh-CN' | 'en'
const LOCALE_KEY = 'skillcomp.locale'

export const i18n = createI18n({
  legacy: false,
  locale: (localStorage.getItem(LOCALE_KEY) as Locale | null) ?? 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function setLocale(locale: Locale) {
  i18n.global.locale.value = locale
  localStorage.setItem(LOCALE_KEY, locale)
  document.documentElement.lang = locale
}

type Translate = (key: string, named?: Record<string, unknown>) => string
type Has = (key: string) => boolean

/** A problem's message in the user's language: its code translated, else a message for its
 *  status; never the API's English detail. */
export function problemText(t: Translate, te: Has, error: unknown): string {
  if (error instanceof ApiProblem) {
    const fieldCode = error.errors[0]?.code
    if (error.code === 'validation_failed' && fieldCode && te(`errors.${fieldCode}`)) return t(`errors.${fieldCode}`)
    if (te(`errors.${error.code}`)) return t(`errors.${error.code}`)
    if (te(`errors.status.${error.status}`)) return t(`errors.status.${error.status}`)
    return t('errors.generic', { code: error.code })
  }
  if (error instanceof TypeError) return t('errors.network')
  return t('errors.generic', { code: String(error) })
}

/** The translated message for one field of a problem (for form items), if it names that field. */
export function fieldText(t: Translate, te: Has, error: unknown, field: string): string {
  if (!(error instanceof ApiProblem)) return ''
  const e = error.fieldError(field)
  if (!e) return ''
  return te(`errors.${e.code}`) ? t(`errors.${e.code}`) : t('errors.generic', { code: e.code })
}
