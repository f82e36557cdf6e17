import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuth } from '../stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    /** Needs a logged-in user. */
    auth?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'competitions', component: () => import('../views/public/CompetitionList.vue') },
  { path: '/competitions/:id', name: 'competition', component: () => import('../views/public/CompetitionDetail.vue'), props: true },
  { path: '/events/:id/results', name: 'results', component: () => import('../views/public/EventResults.vue'), props: true },
  { path: '/home', name: 'home', component: () => import('../views/HomePage.vue'), meta: { auth: true } },
  { path: '/verify', name: 'verify', component: () => import('../views/public/VerifyCertificate.vue') },
  { path: '/login', name: 'login', component: () => import('../views/auth/LoginPage.vue') },
  { path: '/reset-password', name: 'reset-password', component: () => import('../views/auth/ResetPasswordPage.vue') },
  { path: '/signup', name: 'signup', component: () => import('../views/auth/SignUpPage.vue') },
  { path: '/me/profile', name: 'profile', component: () => import('../views/contestant/ProfilePage.vue'), meta: { auth: true } },
  { path: '/me/registrations', name: 'my-registrations', component: () => import('../views/contestant/MyRegistrations.vue'), meta: { auth: true } },
  { path: '/me/honours', name: 'my-honours', component: () => import('../views/contestant/MyHonours.vue'), meta: { auth: true } },
  { path: '/events/:id/sign-up', name: 'event-sign-up', component: () => import('../views/contestant/EventSignUp.vue'), props: true, meta: { auth: true } },
  { path: '/manage', name: 'manage', component: () => import('../views/organiser/ManageHome.vue'), meta: { auth: true } },
  { path: '/manage/accounts', name: 'accounts', component: () => import('../views/organiser/AccountsPage.vue'), meta: { auth: true } },
  { path: '/manage/corrections', name: 'corrections', component: () => import('../views/organiser/CorrectionsPage.vue'), meta: { auth: true } },
  { path: '/manage/new', name: 'competition-new', component: () => import('../views/organiser/CompetitionWizard.vue'), meta: { auth: true } },
  { path: '/manage/events/:id', name: 'event-setup', component: () => import('../views/organiser/EventSetup.vue'), props: true, meta: { auth: true } },
  { path: '/manage/competitions/:id', name: 'competition-manage', component: () => import('../views/organiser/CompetitionManage.vue'), props: true, meta: { auth: true } },
  { path: '/judging', name: 'my-judging', component: () => import('../views/judge/MyJudging.vue'), meta: { auth: true } },
  { path: '/judging/:id/sheet/:section', name: 'mark-sheet', component: () => import('../views/judge/MarkSheet.vue'), props: true, meta: { auth: true } },
  { path: '/judging/:id/panel', name: 'judging-panel', component: () => import('../views/judge/EventPanel.vue'), props: true, meta: { auth: true } },
  { path: '/dashboard', name: 'dashboard', component: () => import('../views/official/DashboardPage.vue'), meta: { auth: true } },
  { path: '/awards', name: 'awards', component: () => import('../views/official/AwardsPage.vue'), meta: { auth: true } },
  { path: '/plan-targets', name: 'plan-targets', component: () => import('../views/official/PlanTargets.vue'), meta: { auth: true } },
  { path: '/admin/organisations', name: 'organisations', component: () => import('../views/admin/OrganisationTree.vue'), meta: { auth: true } },
  { path: '/admin/trades', name: 'trades', component: () => import('../views/admin/TradesPage.vue'), meta: { auth: true } },
  { path: '/admin/calendar', name: 'calendar', component: () => import('../views/admin/CalendarPage.vue'), meta: { auth: true } },
  { path: '/admin/audit', name: 'audit', component: () => import('../views/admin/AuditPage.vue'), meta: { auth: true } },
  { path: '/admin/settings', name: 'settings', component: () => import('../views/admin/SettingsPage.vue'), meta: { auth: true } },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuth()
  await auth.resume()
  if (auth.loggedIn && !auth.me) {
    await auth.loadMe().catch(() => auth.clear())
  }
  if (to.meta.auth && !auth.loggedIn) {
    return { name: 'login', query: { redirect: to.fullPath } }
  }
})
