// Dates and times as people in China read them: China time (UTC+8), whatever the browser's zone.

const CHINA = 'Asia/Shanghai'

export function dateTime(iso: string | null | undefined, locale = 'zh-CN'): string {
  if (!iso) return ''
  return new Intl.DateTimeFormat(locale, {
    timeZone: CHINA, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(iso))
}

export function dateRange(from: string, to: string): string {
  return from === to ? from : `${from} ~ ${to}`
}

export function score(n: number | null | undefined): string {
  return n == null ? '' : n.toFixed(2)
}
