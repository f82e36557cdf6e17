// Small helpers shared by views: running a call with a loading flag and a translated error.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { fieldText, problemText } from './i18n'
import { api, ok, type Schemas } from './api/client'

export function useCall() {
  const { t, te } = useI18n()
  const busy = ref(false)
  const error = ref<unknown>(null)

  /** Runs `work`; on failure keeps the problem (for field messages) and shows it translated. */
  async function run<T>(work: () => Promise<T>, quiet = false): Promise<T | undefined> {
    busy.value = true
    error.value = null
    try {
      return await work()
    } catch (e) {
      error.value = e
      if (!quiet) ElMessage.error(problemText(t, te, e))
      return undefined
    } finally {
      busy.value = false
    }
  }

  const message = (e: unknown = error.value) => (e ? problemText(t, te, e) : '')
  const field = (name: string) => fieldText(t, te, error.value, name)
  return { busy, error, run, message, field }
}

/** Whether the screen is phone-sized (lists become cards there). */
export function useNarrow(width = 640) {
  const query = window.matchMedia(`(max-width: ${width}px)`)
  const narrow = ref(query.matches)
  query.addEventListener('change', (e) => (narrow.value = e.matches))
  return narrow
}

/** Organisations found by name, for a remote-search select; `keep` (an id) is always among them,
 * so a select shows the name of what is already chosen. */
export function useOrganisationSearch() {
  const organisations = ref<Schemas['OrganisationOut'][]>([])
  async function searchOrganisations(q: string, keep?: string | null) {
    const page = await ok(api.GET('/api/v1/organisations', { params: { query: { q: q || undefined, limit: 20 } } })).catch(() => null)
    let list = page?.items ?? []
    if (keep && !list.some((o) => o.id === keep)) {
      const kept = await ok(api.GET('/api/v1/organisations/{id}', { params: { path: { id: keep } } })).catch(() => null)
      if (kept) list = [kept, ...list]
    }
    organisations.value = list
  }
  return { organisations, searchOrganisations }
}
