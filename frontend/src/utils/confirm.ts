import { ElMessageBox } from 'element-plus'
import { i18n } from '../i18n'

/** Asks before an irreversible step, saying what it does and what it ends; true when confirmed. */
export async function confirmStep(title: string, what: string): Promise<boolean> {
  const t = i18n.global.t
  return !!(await ElMessageBox.confirm(what, title, { type: 'warning', confirmButtonText: t('confirm.go'), cancelButtonText: t('confirm.cancel') }).catch(() => null))
}
