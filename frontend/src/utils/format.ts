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

/** A staff account as people read it: their name, with the username beside it for the ones who
 *  manage accounts; the username alone where no name is known. */
export function staffName(u: { full_name?: string | null; username: string }, extra?: string): string {
  const beside = [u.full_name ? u.username : null, extra].filter(Boolean).join('，')
  const main = u.full_name ?? u.username
  return beside ? `${main}（${beside}）` : main
}
