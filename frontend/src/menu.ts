// The menu each person sees, by the roles they hold: one list, drawn as a side menu on wide
// screens and as header links on phones. Items carry the data-test names the browser stories use.
import type { Schemas } from './api/client'

export interface MenuItem {
  /** i18n key of the label. */
  label: string
  to: string
  test: string
}
export interface MenuGroup {
  /** i18n key of the group's heading. */
  title: string
  items: MenuItem[]
}

type Role = Schemas['Role']

/** Who does the organisers' work: organisers, and admins over everything. */
export const organises = (roles: Set<Role>) => roles.has('organiser') || roles.has('admin')

export function menuFor(roles: Set<Role>, hasProfile: boolean): MenuGroup[] {
  const organiser = organises(roles)
  const groups: MenuGroup[] = [
    {
      title: 'menu.general',
      items: [
        { label: 'menu.home', to: '/home', test: 'nav-home' },
        { label: 'app.home', to: '/', test: 'nav-competitions' },
        { label: 'app.verify', to: '/verify', test: 'nav-verify' },
      ],
    },
  ]
  if (hasProfile || roles.has('contestant')) {
    groups.push({
      title: 'menu.contestant',
      items: [
        { label: 'app.myRegistrations', to: '/me/registrations', test: 'nav-registrations' },
        { label: 'app.myHonours', to: '/me/honours', test: 'nav-honours' },
        { label: 'app.profile', to: '/me/profile', test: 'nav-profile' },
      ],
    })
  }
  if (organiser) {
    groups.push({
      title: 'menu.organiser',
      items: [
        { label: 'app.organiser', to: '/manage', test: 'nav-manage' },
        { label: 'organiser.newCompetition', to: '/manage/new', test: 'nav-new-competition' },
        { label: 'corrections.queue', to: '/manage/corrections', test: 'nav-corrections-menu' },
        { label: 'app.accounts', to: '/manage/accounts', test: 'nav-accounts' },
      ],
    })
  }
  if (roles.has('judge')) {
    groups.push({ title: 'menu.judge', items: [{ label: 'judging.mine', to: '/judging', test: 'nav-judging' }] })
  }
  if (roles.has('official') || organiser) {
    const items: MenuItem[] = []
    if (roles.has('official')) items.push({ label: 'awards.title', to: '/awards', test: 'nav-awards' })
    items.push({ label: 'dashboard.title', to: '/dashboard', test: 'nav-dashboard' })
    if (roles.has('official') || roles.has('admin')) items.push({ label: 'planTargets.title', to: '/plan-targets', test: 'nav-plan-targets' })
    groups.push({ title: roles.has('official') ? 'menu.official' : 'menu.statistics', items })
  }
  if (roles.has('admin')) {
    groups.push({
      title: 'menu.admin',
      items: [
        { label: 'orgTree.title', to: '/admin/organisations', test: 'nav-organisations' },
        { label: 'trades.title', to: '/admin/trades', test: 'nav-trades' },
        { label: 'calendar.title', to: '/admin/calendar', test: 'nav-calendar' },
        { label: 'audit.title', to: '/admin/audit', test: 'nav-audit' },
        { label: 'settings.title', to: '/admin/settings', test: 'nav-settings' },
      ],
    })
  }
  return groups
}

/** Where a person lands after logging in: their start page, or where they were going. */
export function landingAfterLogin(redirect: unknown): string {
  return typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : '/home'
}
