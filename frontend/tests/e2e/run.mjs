// Browser tests: Debian's chromium driven by playwright-core against a real server on a fresh
// SQLite database with the demo province. Screenshots of each page go to test-output/.
// Prints a cargo-style summary line ("test result: ok. N passed; M failed") that make test counts.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { startServer } from './server.mjs'

const output = resolve(import.meta.dirname, '../../test-output')
mkdirSync(output, { recursive: true })
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** A valid GB 11643 number. */
function idNumber(first17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...first17].reduce((a, d, i) => a + Number(d) * w[i], 0)
  return first17 + '10X98765432'[sum % 11]
}

async function fill(scope, selector, value) {
  const el = scope.locator(selector).first()
  const input = ['INPUT', 'TEXTAREA'].includes(await el.evaluate((e) => e.tagName)) ? el : el.locator('input').first()
  await input.fill(value)
}

/** Picks an option of an Element Plus select, typing to search. */
async function choose(page, selector, search, option) {
  await page.locator(selector).first().click()
  await page.keyboard.type(search)
  await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click()
}

/** Logs out whoever is in and logs `username` in. */
async function loginAs(page, base, username, password) {
  await page.goto(`${base}/login`)
  // The page shows once any session has been resumed from the cookie: only then is it known who is in.
  await page.locator('[data-test=username]').waitFor()
  if (await page.locator('[data-test=logout]').count()) {
    await page.locator('[data-test=logout]').click()
    await page.goto(`${base}/login`)
  }
  await fill(page, '[data-test=username]', username)
  await fill(page, '[data-test=password]', password)
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=logout]').waitFor()
}

/** A judge's own tablet: logs in in a fresh browser session and marks module 2 station by station. */
async function markOnTablet(browser, base, event, username, stations) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  try {
    await loginAs(page, base, username, 'E2e-judge-password-1')
    await page.goto(`${base}/judging/${event}/sheet/1`)
    for (const [i, [measured, ...judgements]] of stations.entries()) {
      await page.locator('[data-test=save-station]', { hasText: `保存 ${i + 1} 号工位` }).waitFor()
      await page.locator('[data-test="mark-2.1.1"]').fill(measured)
      await page.keyboard.press('Enter')
      for (const key of judgements) await page.keyboard.press(key)
      await page.keyboard.press('Control+Enter')
      await page.getByText(`${i + 1} 号工位已保存`).first().waitFor()
    }
  } finally {
    await context.close()
  }
}

/** Confirms the dialog an irreversible step opens. */
async function confirm(page) {
  await page.locator('.el-message-box .el-button--primary').click()
  await page.locator('.el-message-box').waitFor({ state: 'hidden' })
}

/** Opens a row's certificate from the awards page (a window of its own, as the official prints it)
 *  and reads the number and check code printed on it. */
async function certificateOf(page, row) {
  const [sheet] = await Promise.all([page.waitForEvent('popup'), row.locator('[data-test=certificate]').click()])
  await sheet.waitForFunction(() => document.body?.innerText.includes('校验码'))
  const text = await sheet.locator('body').innerText()
  await sheet.close()
  const number = text.match(/证书编号：(\S+)/)?.[1]
  const code = text.match(/校验码：(\S+)/)?.[1]
  expect(number && code, `the certificate shows its number and check code: ${text}`)
  return { number, code, text }
}

/** Checks a certificate on the public verification page as anyone would, typing what it shows. */
async function verifyOnPage(page, base, { number, code }) {
  await page.goto(`${base}/verify`)
  await fill(page, '[data-test=number]', number)
  await fill(page, '[data-test=code]', code)
  await page.locator('[data-test=check]').click()
  await page.locator('[data-test=certificate]').waitFor()
  return page.locator('[data-test=certificate]').innerText()
}

async function shot(page, name) {
  await page.screenshot({ path: join(output, `${name}.png`), fullPage: true })
}

function expect(condition, message) {
  if (!condition) throw new Error(message)
}

const tests = []
const test = (name, fn) => tests.push({ name, fn })

test('the public finds competitions, switches language, and sees a competition with its events', async ({ page, base }) => {
  await page.goto(base)
  await page.locator('[data-test=competitions] .el-table__row').first().waitFor()
  expect((await page.locator('[data-test=competitions] .el-table__row').count()) >= 6, 'the demo competitions are listed')
  await shot(page, 'public-competitions')
  await page.locator('[data-test=language]').click()
  await page.getByText('Competitions').first().waitFor()
  await shot(page, 'public-competitions-en')
  await page.locator('[data-test=language]').click()
  await page.getByRole('link', { name: /云南省职工职业技能大赛/ }).first().click()
  await page.locator('[data-test=events] .el-table__row').first().waitFor()
  expect((await page.locator('[data-test=events] .el-table__row').count()) >= 50, 'the provincial final has 50+ events')
  await shot(page, 'public-competition-detail')
})

test('a contestant signs up, registers, is returned, edits, and is admitted', async ({ page, base, accounts }) => {
  const username = '13912345678'
  const password = 'e2e-contestant-password'
  await page.goto(`${base}/signup`)
  await fill(page, '[data-test=username]', username)
  await fill(page, '[data-test=password]', password)
  await fill(page, '[data-test=password-again]', password)
  await shot(page, 'auth-signup')
  await page.locator('[data-test=submit]').click()
  await page.waitForURL(/\/me\/profile/)

  // The ID card number is checked as it is typed.
  await fill(page, '[data-test=full-name]', '木呷·阿依')
  await fill(page, '[data-test=id-number]', '530102199105120871')
  await page.getByText('校验码不正确').first().waitFor()
  await fill(page, '[data-test=id-number]', idNumber('53010219910512087'))
  await page.locator('[data-test=id-derived]').waitFor()
  await choose(page, '[data-test=employer]', '机床', '昆明示范机床制造有限公司')
  await shot(page, 'contestant-profile')
  await page.locator('[data-test=save]').click()
  await page.getByText('已保存').first().waitFor()

  // A skill level the contestant enters is a declaration until a reviewer has seen the certificate.
  await fill(page, '[data-test=credential-occupation]', '车工')
  await fill(page, '[data-test=credential-number]', 'Y2021000871')
  await typeDate(page, 'credential-issued-on', day(-400))
  await page.locator('h1').click()
  await page.locator('[data-test=declare]').click()
  await page.locator('[data-test=credentials]').getByText('已申报，未核验').first().waitFor()
  await shot(page, 'contestant-credential-declared')

  // Sign up for 车工 at the provincial final: eligibility first.
  await page.goto(base)
  await page.getByRole('link', { name: /云南省职工职业技能大赛/ }).first().click()
  await page.locator('[data-test="sign-up-6-18-01-01"]').click()
  await page.locator('[data-test=eligibility]').waitFor()
  await page.getByText('符合报名条件').first().waitFor()
  await shot(page, 'contestant-event-sign-up')
  await page.locator('[data-test=submit]').click()
  await page.waitForURL(/\/me\/registrations/)
  await page.locator('[data-test=status-submitted]').waitFor()

  // The unit's reviewer finds it on their start page and returns it with a comment.
  const reviewFromHome = async (username, action, comment) => {
    await loginAs(page, base, username, accounts[username])
    await page.locator('[data-test=review-queues]').getByRole('link', { name: /云南省职工职业技能大赛/ }).click()
    const row = page.locator('[data-test=queue] .el-table__row', { hasText: '木呷·阿依' })
    await row.waitFor()
    await shot(page, `review-queue-${username}`)
    await row.locator('.el-checkbox').click()
    await page.locator(`[data-test=${action}]`).click()
    if (comment) {
      await page.locator('.el-message-box textarea').fill(comment)
      await page.locator('.el-message-box .el-button--primary').click()
    }
    await page.getByText('已处理 1 项').first().waitFor()
  }
  await reviewFromHome('org.wuhua', 'return', '请补充单位推荐意见')
  await loginAs(page, base, username, password)
  await page.goto(`${base}/me/registrations`)
  await page.locator('[data-test=status-returned]').waitFor()
  await page.getByText('请补充单位推荐意见').first().waitFor()
  await shot(page, 'contestant-registration-returned')
  await page.locator('[data-test=edit]').click()
  await page.locator('[data-test=resubmit]').click()
  await page.locator('[data-test=status-submitted]').waitFor()

  // Both review levels approve: the unit, then the host, each from their own start page.
  await reviewFromHome('org.wuhua', 'approve')
  await reviewFromHome('org.yunnan', 'approve')
  await loginAs(page, base, username, password)
  await page.goto(`${base}/me/registrations`)
  await page.locator('[data-test=status-admitted]').waitFor()
  await shot(page, 'contestant-registration-admitted')
  await page.setViewportSize({ width: 390, height: 844 })
  await shot(page, 'contestant-registrations-phone')
  await page.setViewportSize({ width: 1366, height: 768 })
  await page.goto(`${base}/me/honours`)
  await page.locator('[data-test=honours]').waitFor()
  await shot(page, 'contestant-honours')
})

test('an admitted contestant finds their identity locked, asks for a correction, and an organiser approves it', async ({ page, base, accounts }) => {
  await loginAs(page, base, '13912345678', 'e2e-contestant-password')
  await page.goto(`${base}/me/profile`)
  await page.locator('[data-test=identity-locked]').waitFor()
  expect(await page.locator('input[data-test=full-name], [data-test=full-name] input').first().isDisabled(), 'the name cannot be typed over')
  await fill(page, '[data-test=correction-name]', '木呷·阿依莎')
  await fill(page, '[data-test=correction-reason]', '姓名录入时漏字，附户口本')
  await page.locator('[data-test=correction-submit]').click()
  await page.locator('[data-test=correction-history]').getByText('待审核').waitFor()
  await shot(page, 'contestant-correction-asked')

  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.locator('[data-test=nav-manage]').click()
  await page.locator('[data-test=nav-corrections]').click()
  await page.locator('[data-test=corrections]').getByText('木呷·阿依莎').waitFor()
  await shot(page, 'organiser-corrections')
  await page.locator('[data-test=correction-approve]:visible').first().click()
  await page.getByText('已批准，个人信息已更正').first().waitFor()

  await loginAs(page, base, '13912345678', 'e2e-contestant-password')
  await page.goto(`${base}/me/profile`)
  await page.locator('[data-test=correction-history]').getByText('已批准').waitFor()
  const name = await page.locator('input[data-test=full-name], [data-test=full-name] input').first().inputValue()
  expect(name === '木呷·阿依莎', `the profile carries the corrected name: ${name}`)
})

test('the certificate page verifies a real certificate and tells nothing about a wrong code', async ({ page, base, accounts }) => {
  // Last season's 技术状元 of the provincial final, as the union's official finds and prints it.
  const year = Number(day(0).slice(0, 4)) - 1
  await loginAs(page, base, 'official.union', accounts['official.union'])
  await page.goto(`${base}/awards`)
  await choose(page, '[data-test=competition]', `${year}年云南省职工`, `${year}年云南省职工职业技能大赛`)
  await page.locator('[data-test=award-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '技术状元' }).click()
  const row = page.locator('[data-test=awards] .el-table__row', { hasText: '已发证' }).first()
  const name = (await row.locator('td').nth(1).innerText()).trim()
  const certificate = await certificateOf(page, row)
  expect(certificate.text.includes(name), 'the certificate carries the whole name')
  // Anyone holding it checks it on the public page, logged out.
  await page.locator('[data-test=logout]').click()
  const text = await verifyOnPage(page, base, certificate)
  expect(text.includes('技术状元') && text.includes('有效'), text)
  expect(!text.includes(name), `the name is masked: ${text}`)
  await shot(page, 'public-verify-valid')
  await fill(page, '[data-test=code]', 'AAAAAAAA')
  await page.locator('[data-test=check]').click()
  await page.locator('[data-test=not-found]').waitFor()
  await shot(page, 'public-verify-not-found')
})

/** yyyy-mm-dd, `days` from today in Beijing (the browser runs in Asia/Shanghai and the server
 *  reads people's dates there), whatever the zone of the machine running the tests. */
function day(days) {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10)
}

/** A worker of 昆明示范机床制造有限公司 opens an account and fills in their profile, through the pages. */
async function workerThroughPages(page, base, username, name, id) {
  await page.goto(`${base}/login`)
  await page.locator('[data-test=username]').waitFor()
  if (await page.locator('[data-test=logout]').count()) await page.locator('[data-test=logout]').click()
  await page.goto(`${base}/signup`)
  await fill(page, '[data-test=username]', username)
  await fill(page, '[data-test=password]', 'e2e-contestant-password')
  await fill(page, '[data-test=password-again]', 'e2e-contestant-password')
  await page.locator('[data-test=submit]').click()
  await page.waitForURL(/\/me\/profile/)
  await fill(page, '[data-test=full-name]', name)
  await fill(page, '[data-test=id-number]', id)
  await page.locator('[data-test=id-derived]').waitFor()
  await choose(page, '[data-test=employer]', '机床', '昆明示范机床制造有限公司')
  await page.locator('[data-test=save]').click()
  await page.getByText('已保存').first().waitFor()
}

/** Types into an Element Plus date picker's input (found by its id) and confirms. */
async function typeDate(page, id, text) {
  const input = page.locator(`input[id="${id}"]`)
  await input.click()
  await input.fill(text)
  await input.press('Enter')
}

test('an organiser creates a competition through the wizard and runs it to registration close, a captain signs up a team whose team-mate accepts', async ({ page, base, accounts }) => {
  await page.goto(`${base}/login`)
  await fill(page, '[data-test=username]', 'org.kunming')
  await fill(page, '[data-test=password]', accounts['org.kunming'])
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=nav-manage]').click()
  await page.locator('[data-test=managed]').waitFor()
  await shot(page, 'organiser-home')
  await page.locator('[data-test=new-competition]').click()

  await fill(page, '[data-test=name]', '昆明市数控车工技能竞赛')
  await typeDate(page, 'starts-on', day(30))
  await typeDate(page, 'ends-on', day(31))
  await typeDate(page, 'opens', `${day(-1)} 08:00:00`)
  await typeDate(page, 'closes', `${day(10)} 18:00:00`)
  await page.locator('h1').click()
  await shot(page, 'organiser-wizard-basics')
  await page.locator('[data-test=create]').click()

  await choose(page, '[data-test=trade]', '车工', '车工 6-18-01-01')
  await page.locator('[data-test=add-event]').click()
  await page.locator('[data-test=wizard-events] .el-table__row').first().waitFor()
  // A team event of pairs beside it, each member at their own station, the team scoring their mean.
  await choose(page, '[data-test=trade]', '电工', '电工 6-31-01-03')
  await page.locator('[data-test=mode]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '团体赛' }).click()
  await fill(page, '[data-test=team-size]', '2')
  await page.locator('[data-test=team-scoring]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '队员成绩平均' }).click()
  await page.locator('[data-test=add-event]').click()
  await page.locator('[data-test=wizard-events] .el-table__row', { hasText: '团体赛' }).waitFor()
  await shot(page, 'organiser-wizard-events')
  await page.locator('[data-test=next]').click()

  for (const [code, venue, hour] of [['6-18-01-01', '昆明示范技师学院实训楼', '08'], ['6-31-01-03', '昆明示范技师学院电工实训室', '14']]) {
    const event = page.locator(`[data-test="event-${code}"]`)
    await fill(event, '[data-test=doc-body]', '比赛内容：典型工作任务。')
    await event.locator('[data-test=publish-doc]').click()
    await event.getByText('已发布第 1 版').waitFor()
    await event.locator('[data-test=wizard-scheme] .el-collapse-item__header').click()
    const editor = event.locator('[data-test=scheme-editor]')
    if (code === '6-18-01-01') {
      // 车工: the scheme comes from a spreadsheet. A first file has a wrong kind on row 3: the
      // row is named and nothing is saved; the corrected file is taken whole.
      const header = '模块,类型,评分项,评分要素,类别,分值,标准,0分,1分,2分,3分,模块权重\n'
      const rows = ['理论知识,理论,理论试卷,理论知识试卷,测量,100,,,,,,', '实操模块A,实操,尺寸精度,外圆 Φ40±0.02,测量,70,超差不得分,,,,,', '实操模块A,实操,工艺与表面,表面质量,评价,30,,不合格,合格,良好,优秀,']
      const bad = header + [rows[0], rows[1].replace(',测量,', ',打分,'), rows[2]].join('\n')
      await editor.locator('[data-test=scheme-file]').setInputFiles({ name: '车工评分标准.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
      await editor.locator('[data-test=scheme-errors]').getByText('第 3 行“类别”列').waitFor()
      await shot(page, 'organiser-scheme-import-refused')
      await editor.locator('[data-test=scheme-file]').setInputFiles({ name: '车工评分标准.csv', mimeType: 'text/csv', buffer: Buffer.from(header + rows.join('\n')) })
      await page.getByText('已导入 3 个评分要素').first().waitFor()
      await editor.locator('[data-test=scheme-state]', { hasText: '评分标准完整' }).waitFor()
    } else {
      // 电工: written in the editor, whose totals follow the typing.
      const practical = editor.locator('[data-test=section-1]')
      await fill(practical, '[data-test=criterion-name]', '线路安装')
      await fill(practical, '[data-test=aspect-description]', '配电箱接线规范')
      await fill(practical, '[data-test=aspect-max]', '60')
      await practical.locator('[data-test=aspect-max] input').press('Tab')
      await practical.locator('[data-test=section-total-1]', { hasText: '合计 60 分' }).waitFor()
      await editor.locator('[data-test=scheme-issues]').getByText('应为 100 分').waitFor()
      await practical.locator('[data-test=add-aspect]').click()
      const second = practical.locator('[data-test="aspect-2.1.2"]')
      await second.locator('[data-test=aspect-kind]').click()
      await page.locator('.el-select-dropdown__item:visible', { hasText: '评价' }).click()
      await fill(second, '[data-test=aspect-description]', '工艺美观')
      await fill(second, '[data-test=aspect-max]', '40')
      await second.locator('[data-test=aspect-max] input').press('Tab')
      await practical.locator('[data-test=section-total-1]', { hasText: '合计 100 分' }).waitFor()
      await shot(page, 'organiser-scheme-editor')
      // Saved from the keyboard, where the typing ended.
      await second.locator('[data-test=aspect-description] input, input[data-test=aspect-description]').first().press('Control+s')
      await page.getByText('评分标准已保存').first().waitFor()
    }
    await fill(event, '[data-test=venue]', venue)
    await typeDate(page, `session-start-${code}`, `${day(30)} ${hour}:00:00`)
    await typeDate(page, `session-end-${code}`, `${day(30)} ${Number(hour) + 3}:00:00`)
    await page.locator('h1').click()
    await event.locator('[data-test=add-session]').click()
    await event.getByText('已就绪').waitFor()
    await event.getByText(venue).waitFor()
  }
  await shot(page, 'organiser-wizard-documents')
  await page.locator('[data-test=to-publish]').click()

  // The contest's top finishers go on to the province's final: the link waits for its organisers.
  await choose(page, '[data-test=link-target]', '云南省职工', '云南省职工职业技能大赛')
  await page.locator('[data-test=link-save]').click()
  await page.locator('[data-test=feeds-into]').getByText('待上级赛事确认').waitFor()
  // The lifecycle, step by step, each irreversible step confirmed; closing registration early asks why.
  await page.locator('[data-test=to-published]').click()
  await page.locator('.el-message-box').getByText('赛事将对外公布').waitFor()
  await confirm(page)
  await page.locator('[data-test=status]', { hasText: '已发布' }).waitFor()
  await page.locator('[data-test=to-registration_open]').click()
  await confirm(page)
  await page.locator('[data-test=status]', { hasText: '报名中' }).waitFor()
  await shot(page, 'organiser-lifecycle')

  // The 车工 event's page: its checklist, and its panel staffed from Kunming's own judges.
  await page.locator('[data-test="setup-6-18-01-01"]').click()
  await page.locator('[data-test=check-scheme].done').waitFor()
  // After the wizard: registration is open, so a new version of the technical document says why,
  // and the first is kept as superseded; the theory paper gets its sitting.
  await page.getByRole('tab', { name: '技术文件与赛程' }).click()
  const docs = page.locator('[data-test=event-documents]')
  await docs.locator('[data-test=document-versions] .el-table__row', { hasText: '已发布' }).waitFor()
  await fill(docs, '[data-test=doc-body]', '比赛内容：典型工作任务。补充：实操使用 CK6140 数控车床。')
  await docs.locator('[data-test=doc-publish]').click()
  await page.locator('.el-message-box textarea').fill('明确实操设备型号')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('已发布第 2 版').first().waitFor()
  await docs.locator('[data-test=document-versions] .el-table__row', { hasText: '已被取代' }).waitFor()
  await docs.locator('[data-test=sitting-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^理论$/ }).click()
  await fill(docs, '[data-test=sitting-name]', '理论考试')
  await fill(docs, '[data-test=sitting-venue]', '昆明示范技师学院301教室')
  await typeDate(page, 'sitting-start', `${day(30)} 14:00:00`)
  await typeDate(page, 'sitting-end', `${day(30)} 15:30:00`)
  await page.locator('h1').click()
  await docs.locator('[data-test=sitting-add]').click()
  await docs.locator('[data-test=sittings] .el-table__row', { hasText: '昆明示范技师学院301教室' }).waitFor()
  await shot(page, 'organiser-event-documents')
  await page.getByRole('tab', { name: '裁判组' }).click()
  for (const [judge, role] of [['judge.km.li', '裁判长'], ['judge.km.zhao', '裁判员'], ['judge.km.he', '加密裁判'], ['judge.km.sun', '监督']]) {
    await choose(page, '[data-test=appoint-user]', judge, judge)
    await page.locator('[data-test=appoint-role]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${role}$`) }).click()
    await page.locator('[data-test=appoint]').click()
    await page.locator('[data-test=roles]').getByText(judge).waitFor()
  }
  // One person cannot check their own work: the supervisor is not also a judge.
  await choose(page, '[data-test=appoint-user]', 'judge.km.sun', 'judge.km.sun')
  await page.locator('[data-test=appoint-role]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^裁判员$/ }).click()
  await page.locator('[data-test=appoint]').click()
  await page.getByText('违反职务分离').first().waitFor()
  // The judge marks the practical module, the chief judge the theory paper.
  for (const [judge, section] of [['judge.km.zhao', '实操模块A'], ['judge.km.li', '理论知识']]) {
    await page.locator('[data-test=assign-judge]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: judge }).click()
    await page.locator('[data-test=assign-section]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: section }).click()
    await page.locator('[data-test=assign]').click()
    await page.locator('[data-test=panel] .el-table__row', { hasText: judge }).getByText(section === '理论知识' ? '1.1.1' : '2.1.1、2.2.1').waitFor()
  }
  await shot(page, 'organiser-judge-panel')
  await page.locator('.el-breadcrumb').getByText('昆明市数控车工技能竞赛').click()
  await page.locator('[data-test=status]', { hasText: '报名中' }).waitFor()

  // A worker of a 五华区 enterprise opens an account, declares the level they hold and signs up.
  const competitionId = page.url().split('/').pop()
  await workerThroughPages(page, base, '13912340000', '段志强', idNumber('53010219880306061'))
  await fill(page, '[data-test=credential-occupation]', '车工')
  await page.locator('[data-test=credential-level]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '高级工（三级）' }).click()
  await fill(page, '[data-test=credential-number]', 'Y2020000306')
  await typeDate(page, 'credential-issued-on', day(-400))
  await page.locator('h1').click()
  await page.locator('[data-test=declare]').click()
  await page.locator('[data-test=credentials]').getByText('已申报，未核验').first().waitFor()
  await page.goto(`${base}/competitions/${competitionId}`)
  await page.locator('[data-test="sign-up-6-18-01-01"]').click()
  await page.getByText(/^符合报名条件$/).first().waitFor()
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=status-submitted]').waitFor()

  // Two workers open accounts and fill in their profiles; one captains a team of the other.
  const captain = ['13912340001', '普布·次仁', idNumber('53010219900412061')]
  const mate = ['13912340002', '和丽娟', idNumber('53010219930815062')]
  for (const [username, name, id] of [captain, mate]) await workerThroughPages(page, base, username, name, id)
  await loginAs(page, base, captain[0], 'e2e-contestant-password')
  await page.goto(base)
  await page.getByRole('link', { name: /昆明市数控车工技能竞赛/ }).first().click()
  await page.locator('[data-test="sign-up-6-31-01-03"]').click()
  await page.getByText(/^符合报名条件$/).first().waitFor()
  await fill(page, '[data-test=team-name]', '机床厂电工一队')
  const row = page.locator('[data-test=member-0]')
  await fill(row, '[data-test=member-name]', mate[1])
  await fill(row, '[data-test=member-id]', mate[2])
  await shot(page, 'contestant-team-sign-up')
  await page.locator('[data-test=submit]').click()
  await page.waitForURL(/\/me\/registrations/)
  await page.locator('[data-test=status-submitted]').waitFor()
  // The team-mate finds the invitation on their own page and accepts it.
  await loginAs(page, base, mate[0], 'e2e-contestant-password')
  await page.goto(`${base}/me/registrations`)
  await page.locator('[data-test=accept-invitation]:visible').first().click()
  await page.getByText('已加入团队').first().waitFor()
  await shot(page, 'contestant-invitation-accepted')

  // 五华区's organisers approve both at once from their start page; the host reviews next.
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.locator('[data-test=review-queues]').getByRole('link', { name: /昆明市数控车工技能竞赛：2 项/ }).click()
  await page.locator('[data-test=queue] .el-table__row', { hasText: '机床厂电工一队' }).waitFor()
  await page.locator('[data-test=queue] .el-table__header .el-checkbox').click()
  await page.locator('[data-test=approve]').click()
  await confirm(page)
  await page.getByText('已处理 2 项').first().waitFor()

  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(`${base}/manage/competitions/${competitionId}`)
  await page.getByRole('tab', { name: '报名审核' }).click()
  await page.locator('[data-test=queue] .el-table__row').first().waitFor()
  await shot(page, 'organiser-review-queue')
  // Beside the registration: the worker's declared level, verified once the certificate is seen.
  await page.locator('[data-test=queue] .el-table__expand-icon').first().click()
  const credentials = page.locator('[data-test^=credentials-of-]').first()
  await credentials.getByText('已申报，未核验').waitFor()
  await credentials.locator('[data-test=verify-credential]').click()
  await credentials.getByText('已核验').first().waitFor()
  await shot(page, 'organiser-credential-verified')
  // By keyboard, as a reviewer going through a long queue: down to the row, Space selects, a approves.
  await page.locator('[data-test=queue]').focus()
  await page.locator('[data-test=queue]').press('j')
  await page.locator('[data-test=queue]').press(' ')
  await page.locator('[data-test=queue] .queue-cursor .el-checkbox.is-checked').waitFor()
  await page.locator('[data-test=queue]').press('a')
  await page.getByText('已处理 1 项').first().waitFor()
  // The team, captain and team-mate together, in the team event's queue.
  await page.locator('[data-test=queue-event]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '电工' }).click()
  await page.locator('[data-test=queue-team]', { hasText: `${captain[1]}、${mate[1]}` }).waitFor()
  await shot(page, 'organiser-review-team')
  await page.locator('[data-test=queue] .el-table__row .el-checkbox').first().click()
  await page.locator('[data-test=approve]').click()
  // Approved, it leaves the queue of what awaits the host, and counts as admitted.
  await page.locator('[data-test=queue-team]').waitFor({ state: 'detached' })
  await page.locator('[data-test=queue-counts]', { hasText: '已录取 1' }).waitFor()

  await page.getByRole('tab', { name: '概况' }).click()
  await page.locator('[data-test=to-registration_closed]').click()
  await page.locator('.el-message-box input').fill('名额已满，提前截止')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.locator('[data-test=status]', { hasText: '报名截止' }).waitFor()
  await shot(page, 'organiser-registration-closed')
})

test('the roster is publicised, a worker objects to a name on the public page, and the organiser rules on it', async ({ page, base, accounts }) => {
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.locator('[data-test=side-menu] [data-test=nav-manage]').click()
  await page.locator('[data-test=managed]').getByRole('link', { name: '昆明市数控车工技能竞赛' }).click()
  await page.locator('[data-test=to-roster_publicity]').click()
  await page.locator('.el-message-box').getByText('身份证号已遮挡').waitFor()
  await confirm(page)
  await page.locator('[data-test=status]', { hasText: '名单公示' }).waitFor()
  const manage = page.url()
  // A team-mate reads the public roster (numbers masked) and objects to another entrant.
  await loginAs(page, base, '13912340002', 'e2e-contestant-password')
  await page.goto(base)
  await page.getByRole('link', { name: /昆明市数控车工技能竞赛/ }).first().click()
  const roster = page.locator('[data-test=roster]')
  await roster.getByText('段志强').waitFor()
  expect(!(await roster.innerText()).includes(idNumber('53010219880306061')), 'ID numbers are masked on the public roster')
  await roster.locator('[data-test=object-段志强]').click()
  await page.locator('.el-message-box textarea').fill('该选手不是推荐单位在岗职工')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('异议已提交').first().waitFor()
  await shot(page, 'public-roster-objection')
  // The organiser checks and dismisses it, with the reasons.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '名单异议' }).click()
  const row = page.locator('[data-test=objections] .el-table__row', { hasText: '段志强' })
  await row.getByText('该选手不是推荐单位在岗职工').waitFor()
  await row.locator('[data-test=dismiss]').click()
  await page.locator('.el-message-box textarea').fill('经核实，该选手劳动合同在推荐单位，异议不成立')
  await page.locator('.el-message-box .el-button--primary').click()
  await row.getByText('已驳回').waitFor()
  await shot(page, 'organiser-objection-ruled')
})

test('a county organiser accepts the factory contest\'s request to send its qualifiers on', async ({ page, base, accounts }) => {
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.locator('[data-test=side-menu] [data-test=nav-manage]').click()
  await page.locator('[data-test=managed] .el-table__row', { hasText: '五华区职工职业技能竞赛' }).filter({ hasText: '报名中' }).getByRole('link').first().click()
  await page.waitForURL(/\/manage\/competitions\//)
  const county = page.url().split('/').pop()
  const requests = page.locator('[data-test=feeder-requests]')
  await requests.getByText('车工技能比武').waitFor()
  await page.locator('[data-test=status]', { hasText: '报名中' }).waitFor()
  await shot(page, 'organiser-feeder-request')
  await requests.locator('[data-test=accept-feeder]').first().click()
  await page.getByText('已确认，决赛成绩确定后其晋级选手将进入本赛事').first().waitFor()
  await page.getByText(/下级赛事：.*车工技能比武/).first().waitFor()
  expect((await page.locator('[data-test=feeder-requests]').count()) === 0, 'no request is left')
  // The public sees the link on the competition's page.
  await page.locator('[data-test=logout]').click()
  await page.goto(`${base}/competitions/${county}`)
  await page.locator('[data-test=fed-by]', { hasText: '车工技能比武' }).waitFor()
})

test('a provincial official watches the plan and revokes an award, which the public page then shows', async ({ page, base, accounts }) => {
  await page.goto(`${base}/login`)
  await fill(page, '[data-test=username]', 'official.union')
  await fill(page, '[data-test=password]', accounts['official.union'])
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=nav-dashboard]').click()
  await page.locator('[data-test=targets]').waitFor()
  expect((await page.locator('[data-test=targets] .target').count()) === 9, 'the nine targets of the plan')
  expect((await page.locator('canvas').count()) >= 2, 'the trend and prefecture charts are drawn')
  await shot(page, 'official-dashboard')
  // By tier and category too, and what the page shows as a workbook to file.
  await page.locator('[data-test=by-tier]').getByText('省级').first().waitFor()
  await page.locator('[data-test=by-category]').getByText('职工职业技能大赛').first().waitFor()
  const [file] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=export-dashboard]').click()])
  expect(/年统计数据\.xlsx$/.test(file.suggestedFilename()), `the export is named for people: ${file.suggestedFilename()}`)
  expect((await file.failure()) === null, 'the export downloads')
  // The plan's 技术能手 target is revised: the dashboard measures against the new figure.
  await page.locator('[data-test=nav-plan-targets]').click()
  await page.locator('[data-test=target-edit-technical_experts]').first().click()
  await fill(page, '[data-test=target-figure]', '12345')
  await page.locator('[data-test=target-save]').click()
  await page.getByText('规划目标已保存').first().waitFor()
  await shot(page, 'official-plan-targets')
  await page.locator('[data-test=nav-dashboard]').click()
  await page.locator('[data-test=targets]').getByText('/ 12,345').waitFor()

  const year = Number(day(0).slice(0, 4)) - 1
  await page.locator('[data-test=nav-awards]').click()
  await choose(page, '[data-test=competition]', `${year}年云南省职工`, `${year}年云南省职工职业技能大赛`)
  await page.locator('[data-test=awards] .el-table__row').first().waitFor()
  await shot(page, 'official-awards')
  const issued = page.locator('[data-test=awards] .el-table__row', { hasText: '已发证' }).first()
  const name = (await issued.locator('td').nth(1).innerText()).trim()
  await issued.locator('[data-test=revoke]').click()
  await page.locator('.el-message-box textarea').fill('经核查，参赛资格不符')
  await page.locator('.el-message-box .el-button--primary').click()
  const revoked = page.locator('[data-test=awards] .el-table__row', { hasText: name }).filter({ hasText: '已撤销' }).first()
  await revoked.waitFor()

  // The revoked certificate says so, on paper and on the public page.
  const certificate = await certificateOf(page, revoked)
  expect(certificate.text.includes('已撤销') && certificate.text.includes('经核查，参赛资格不符'), certificate.text)
  await page.locator('[data-test=logout]').click()
  const text = await verifyOnPage(page, base, certificate)
  expect(text.includes('已撤销') && text.includes('经核查，参赛资格不符'), text)
})

/** The wizard as an organiser fills it for a one-day 车工 contest held today (registration open
 *  since yesterday, no publicity windows: a rehearsal), reviewed by the host alone, its document
 *  published and its scheme uploaded from a spreadsheet. Ends on the competition's page. */
async function wizardContestToday(page, name, docBody, scheme) {
  const today = day(0)
  await page.locator('[data-test=side-menu] [data-test=nav-new-competition]').click()
  await fill(page, '[data-test=name]', name)
  await typeDate(page, 'starts-on', today)
  await typeDate(page, 'ends-on', today)
  await typeDate(page, 'opens', `${day(-1)} 08:00:00`)
  await typeDate(page, 'closes', `${today} 23:59:00`)
  await fill(page, '[data-test=roster-days]', '0')
  await fill(page, '[data-test=results-days]', '0')
  await page.locator('h1').click()
  await page.locator('[data-test=create]').click()
  await choose(page, '[data-test=trade]', '车工', '车工 6-18-01-01')
  await page.locator('[data-test=review-levels]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '主办方审核' }).click()
  await page.locator('[data-test=add-event]').click()
  await page.locator('[data-test=wizard-events] .el-table__row').first().waitFor()
  await page.locator('[data-test=next]').click()
  const card = page.locator('[data-test="event-6-18-01-01"]')
  await fill(card, '[data-test=doc-body]', docBody)
  await card.locator('[data-test=publish-doc]').click()
  await card.getByText('已发布第 1 版').waitFor()
  await card.locator('[data-test=wizard-scheme] .el-collapse-item__header').click()
  await card.locator('[data-test=scheme-file]').setInputFiles({ name: '车工评分标准.csv', mimeType: 'text/csv', buffer: Buffer.from(scheme) })
  await card.getByText('已就绪').waitFor()
  await page.locator('[data-test=to-publish]').click()
  await page.waitForURL(/\/manage\/competitions\//)
  await page.locator('[data-test=status]').waitFor()
  return page.url()
}

/** The panel's acts after marking, each on its own page: the chief judge signs every section,
 *  the supervisor confirms and so locks it. */
async function signAndLock(panel, page, chief, supervisor) {
  await panel(chief)
  for (const s of [0, 1]) {
    await page.locator(`[data-test=chief-sign-${s}]`).click()
    await page.locator(`[data-test=chief-sign-${s}]`).waitFor({ state: 'detached' }).catch(() => undefined)
  }
  await panel(supervisor)
  for (const s of [0, 1]) {
    await page.locator(`[data-test=confirm-${s}]`).click()
    await page.getByText(`模块 ${s + 1} 已锁定`).waitFor()
  }
}

/** 复核: the chief judge draws the sample, the supervisor checks each station. */
async function sampleReview(panel, page, chief, supervisor) {
  await panel(chief)
  await page.locator('[data-test=draw-review]').click()
  await page.locator('[data-test=samples] .el-table__row').first().waitFor()
  await panel(supervisor)
  await page.locator('[data-test=sample-checked]').first().waitFor()
  for (let left = await page.locator('[data-test=sample-checked]').count(); left > 0; left--) {
    await page.locator('[data-test=sample-checked]').first().click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=sample-checked]').length < n, left)
  }
}

/** Two-person decryption: the encryption judge asks, the supervisor confirms. */
async function decrypt(panel, page, encryption, supervisor) {
  await panel(encryption)
  await page.locator('[data-test=decrypt]').click()
  await page.getByText('已完成').first().waitFor()
  await panel(supervisor)
  await page.locator('[data-test=confirm-decryption]').click()
  await page.getByText('已完成').first().waitFor()
}

/** Workers open their accounts and sign up for the competition's 车工 event, each on their own. */
async function signUpThroughPages(page, base, competition, workers) {
  for (const [username, name, id] of workers) {
    await workerThroughPages(page, base, username, name, id)
    await page.goto(`${base}/competitions/${competition}`)
    await page.locator('[data-test="sign-up-6-18-01-01"]').click()
    await page.getByText(/^符合报名条件$/).first().waitFor()
    await page.locator('[data-test=submit]').click()
    await page.locator('[data-test=status-submitted]').waitFor()
  }
}

/** On the review tab: everything shown selected at once and approved, after the confirmation. */
async function approveAllShown(page, n) {
  await page.locator('[data-test=queue] .el-table__header .el-checkbox').click()
  await page.locator('[data-test=approve]').click()
  await page.locator('.el-message-box').getByText(`通过所选的 ${n} 项报名`).waitFor()
  await confirm(page)
  await page.getByText(`已处理 ${n} 项`).first().waitFor()
}

/** The marking scheme of the Kunming final, as an organiser keeps it in a spreadsheet. */
const FINAL_SCHEME = [
  '模块,类型,评分项,评分要素,类别,分值,标准,0分,1分,2分,3分',
  '理论知识,理论,理论,理论试卷,测量,100,,,,,',
  '实操模块A,实操,尺寸精度,外圆 Φ40±0.02,测量,60,超差不得分,,,,',
  '实操模块A,实操,工艺与表面,表面粗糙度,评价,30,,不合格,合格,良好,优秀',
  '实操模块A,实操,工艺与表面,工艺合理性,评价,10,,不合格,合格,良好,优秀',
].join('\n')

/** A Kunming final running today, set up through the pages as each person would: the organiser
 *  creates it in the wizard with its scheme from a spreadsheet and its rules, two workers sign up
 *  and are approved in bulk, the organiser opens the judges' accounts and staffs the panel, the
 *  encryption judge draws, and the contestants check in with their tickets. */
async function runningFinal(page, base, accounts) {
  const judges = [['judge.e2e', '裁判员', '龙海'], ['judge.e2e.b', '裁判员', '白云飞'], ['judge.e2e.c', '裁判员', '曹静'], ['judge.e2e.arb', '仲裁', '阿旺·次仁'], ['judge.e2e.enc', '加密裁判', '鲁平'], ['judge.e2e.chief', '裁判长', '钱卫国'], ['judge.e2e.sup', '监督', '苏敏']]
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  // The judges' accounts, opened by the organiser for Kunming's union.
  await page.locator('[data-test=side-menu] [data-test=nav-accounts]').click()
  for (const [username, , name] of judges) {
    await fill(page, '[data-test=account-username]', username)
    await fill(page, '[data-test=account-name]', name)
    await fill(page, '[data-test=account-password]', 'E2e-judge-password-1')
    await choose(page, '[data-test=account-organisation]', '昆明', '昆明市总工会')
    await page.locator('[data-test=account-create]').click()
    await page.getByText(`已创建账号 ${username}`).first().waitFor()
  }
  const manage = await wizardContestToday(page, '昆明市车工决赛（评分演练）', '比赛内容：外圆车削。', FINAL_SCHEME)
  const competition = manage.split('/').pop()
  // The event's rules: appeals stay open two minutes after the scores are announced.
  await page.locator('[data-test="setup-6-18-01-01"]').click()
  await page.waitForURL(/\/manage\/events\//)
  const event = page.url().split('/').pop().split('?')[0]
  await page.getByRole('tab', { name: '项目设置' }).click()
  await page.locator('[data-test=event-settings]').getByText('申诉时限').waitFor()
  await page.locator('[data-test=event-settings] .el-form-item', { hasText: '申诉时限' }).locator('input').first().fill('2')
  await page.locator('[data-test=save-settings]').click()
  await page.getByText('项目设置已保存').first().waitFor()
  // The panel: appointed, and who marks what.
  await page.getByRole('tab', { name: '裁判组' }).click()
  for (const [username, role] of judges) {
    await choose(page, '[data-test=appoint-user]', username, username)
    await page.locator('[data-test=appoint-role]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${role}$`) }).click()
    await page.locator('[data-test=appoint]').click()
    await page.locator('[data-test=roles] .el-table__row', { hasText: username }).waitFor()
  }
  for (const [username, section] of [['judge.e2e', '理论知识'], ['judge.e2e', '实操模块A'], ['judge.e2e.b', '实操模块A'], ['judge.e2e.c', '实操模块A']]) {
    await page.locator('[data-test=assign-judge]').click()
    // Judges are listed by name, the username beside it.
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`（${username.replace(/\./g, '\\.')}，`) }).click()
    await page.locator('[data-test=assign-section]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: section }).click()
    await page.locator('[data-test=assign]').click()
    await page.getByText(`已为 ${username} 分配`).first().waitFor()
  }
  // Awards are publicised for 0 days in this run, so that they can be granted at once.
  await page.goto(manage)
  await page.getByRole('tab', { name: '奖项规则' }).click()
  await fill(page, '[data-test=award-publicity-days]', '0')
  await page.locator('[data-test=award-rules-save]').click()
  await page.getByText('奖项规则已保存').first().waitFor()
  await page.getByRole('tab', { name: '概况' }).click()
  for (const to of ['published', 'registration_open']) {
    await page.locator(`[data-test=to-${to}]`).click()
    await confirm(page)
  }
  await page.locator('[data-test=status]', { hasText: '报名中' }).waitFor()
  // Two workers of the factory sign up on their own.
  const contestants = [['13911110000', '和丽华', idNumber('53010219900101100')], ['13911110001', '岩罕', idNumber('53010219900102101')]]
  await signUpThroughPages(page, base, competition, contestants)
  // The organiser approves both at once, then takes the roster to final.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '报名审核' }).click()
  await page.locator('[data-test=queue] .el-table__row', { hasText: '岩罕' }).waitFor()
  await approveAllShown(page, 2)
  await page.getByRole('tab', { name: '概况' }).click()
  await page.locator('[data-test=to-registration_closed]').click()
  await page.locator('.el-message-box input').fill('报名人员已确定')
  await page.locator('.el-message-box .el-button--primary').click()
  for (const to of ['roster_publicity', 'roster_final']) {
    await page.locator(`[data-test=to-${to}]`).click()
    await confirm(page)
  }
  await page.locator('[data-test=status]', { hasText: '名单确定' }).waitFor()
  // The encryption judge draws and keeps the record.
  await loginAs(page, base, 'judge.e2e.enc', 'E2e-judge-password-1')
  await page.goto(`${base}/judging/${event}/panel`)
  await page.locator('[data-test=draw]').click()
  await confirm(page)
  await page.locator('[data-test=draw-record] .el-table__row').nth(1).waitFor()
  await shot(page, 'encryption-judge-draw-record')
  // Each contestant reads their ticket number; the organiser checks them in with it and the ID card.
  const tickets = []
  for (const [username] of contestants) {
    await loginAs(page, base, username, 'e2e-contestant-password')
    await page.goto(`${base}/me/registrations`)
    const text = await page.locator('[data-test=ticket-number]').first().innerText()
    tickets.push(text.split('：').pop().trim())
  }
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '检录' }).click()
  for (const [i, [, name, id]] of contestants.entries()) {
    await fill(page, '[data-test=ticket]', tickets[i])
    await page.keyboard.press('Enter')
    await page.keyboard.type(id)
    await page.keyboard.press('Enter')
    await page.getByRole('cell', { name }).first().waitFor()
  }
  // The draw and the check-ins moved the competition on: it runs.
  await page.getByRole('tab', { name: '概况' }).click()
  await page.reload()
  await page.locator('[data-test=status]', { hasText: '比赛中' }).waitFor()
  return { event, competition }
}

test('the whole story: three judges mark (one offline for a while), a spread flag is reconciled, sheets lock, 复核, a locked mark re-opened by two people, decryption, results published, an appeal ruled, results final, awards certified, the certificate verifies and the dashboard counts it', async ({ page, base, accounts, browser }) => {
  const { event, competition } = await runningFinal(page, base, accounts)
  await page.goto(`${base}/login`)
  await fill(page, '[data-test=username]', 'judge.e2e')
  await fill(page, '[data-test=password]', 'E2e-judge-password-1')
  await page.locator('[data-test=submit]').click()
  await page.locator('[data-test=nav-judging]').click()
  await page.locator('[data-test=my-events] .el-table__row').first().waitFor()
  await page.locator('[data-test=sheet-1]').first().click()
  await page.locator('[data-test=sheet]').waitFor()
  // Station one: type, Enter, a judgement by its number key, then Ctrl+Enter saves.
  await page.locator('[data-test="mark-2.1.1"]').fill('58.5')
  await page.keyboard.press('Enter')
  await page.keyboard.press('2')
  await page.keyboard.press('3')
  await shot(page, 'judge-mark-sheet')
  await page.keyboard.press('Control+Enter')
  await page.getByText('1 号工位已保存').first().waitFor()
  await page.locator('[data-test=save-station]', { hasText: '保存 2 号工位' }).waitFor()
  // The station's time over the module (用时, for the elapsed-time tie-break): 95 min 30 s.
  await page.locator('[data-test=elapsed-minutes] input').fill('95')
  await page.keyboard.press('Tab')
  await page.locator('[data-test=elapsed-seconds] input').fill('30')
  await page.keyboard.press('Tab')
  await page.locator('[data-test=save-time]').click()
  await page.getByText('用时已记录').first().waitFor()

  // The network goes; station two is kept on the tablet.
  await page.context().setOffline(true)
  await page.locator('[data-test="mark-2.1.1"]').fill('52')
  await page.keyboard.press('Enter')
  await page.keyboard.press('1')
  await page.keyboard.press('2')
  await page.keyboard.press('Control+Enter')
  await page.locator('[data-test=unsynced]', { hasText: '待同步 1' }).waitFor()
  await shot(page, 'judge-offline-unsynced')
  // Back online, the queue sends it by itself (the browser's online event, or the 10 s retry).
  await page.context().setOffline(false)
  await page.locator('[data-test=unsynced]', { hasText: '待同步 0' }).waitFor()

  // Reloaded from the server, the sheet holds both stations and the time.
  await page.reload()
  await page.locator('[data-test=station-1]').click()
  expect((await page.locator('[data-test="mark-2.1.1"]').inputValue()) === '58.5', 'station one kept')
  // Station two: the offline marks, and the time typed while it was open.
  await page.locator('[data-test=station-2]').click()
  expect((await page.locator('[data-test="mark-2.1.1"]').inputValue()) === '52', 'the offline station arrived')
  const minutes = await page.locator('[data-test=elapsed-minutes] input').inputValue()
  const seconds = await page.locator('[data-test=elapsed-seconds] input').inputValue()
  expect(minutes === '95' && seconds === '30', `the time recorded: ${minutes}:${seconds}`)

  // Judges B and C mark at the same time on their own tablets (their own browser sessions); C
  // judges station 1's surface 不合格 (0) where A said 良好 (2) — two points apart, which flags it for the chief judge.
  await Promise.all([
    ['judge.e2e.b', [['58.5', '2', '3'], ['52', '1', '2']]],
    ['judge.e2e.c', [['58.5', '0', '3'], ['52', '1', '2']]],
  ].map(([name, stations]) => markOnTablet(browser, base, event, name, stations)))
  await loginAs(page, base, 'judge.e2e.chief', 'E2e-judge-password-1')
  await page.goto(`${base}/judging/${event}/panel`)
  await page.getByRole('button', { name: '裁定' }).first().click()
  await page.locator('.el-message-box input').fill('经现场复看，评分差异在工艺理解，维持各裁判评分')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('已裁定').first().waitFor()
  await shot(page, 'chief-judge-flag-reconciled')
  // Judges B and C sign their module 1 sheets on their own pages.
  for (const name of ['judge.e2e.b', 'judge.e2e.c']) {
    await loginAs(page, base, name, 'E2e-judge-password-1')
    await page.goto(`${base}/judging/${event}/sheet/1`)
    await page.locator('[data-test=sign]').click()
    await page.locator('[data-test=sign]', { hasText: '已签名' }).waitFor()
  }
  await loginAs(page, base, 'judge.e2e', 'E2e-judge-password-1')
  await page.goto(`${base}/judging/${event}/sheet/1`)

  // The theory paper: one mark per station, then the judge signs both modules.
  await page.locator('[data-test=sign]').click()
  await page.locator('[data-test=sign]', { hasText: '已签名' }).waitFor()
  await page.goto(`${base}/judging`)
  await page.locator('[data-test=sheet-0]').first().click()
  await page.locator('[data-test="mark-1.1.1"]').fill('81')
  await page.keyboard.press('Control+Enter')
  await page.getByText('1 号工位已保存').first().waitFor()
  await page.locator('[data-test=save-station]', { hasText: '保存 2 号工位' }).waitFor()
  await page.locator('[data-test="mark-1.1.1"]').fill('92.5')
  await page.keyboard.press('Control+Enter')
  await page.getByText('2 号工位已保存').first().waitFor()
  await page.locator('[data-test=sign]').click()
  await page.locator('[data-test=sign]', { hasText: '已签名' }).waitFor()

  // The chief judge sees the signatures and signs both modules; the supervisor confirms: locked.
  const password = 'E2e-judge-password-1'
  const panel = async (username) => {
    await loginAs(page, base, username, password)
    await page.goto(`${base}/judging/${event}/panel`)
  }
  await panel('judge.e2e.chief')
  await page.locator('[data-test=progress] .el-table__row', { hasText: '6 / 6' }).first().waitFor()
  expect((await page.locator('[data-test=progress] .el-table__row', { hasText: '6 / 6' }).first().innerText()).includes('✓'), 'signed')
  expect((await page.locator('[data-test=progress] .el-table__row').count()) === 4, 'three judges on module 2, one on module 1')
  await shot(page, 'chief-judge-panel')
  await signAndLock(panel, page, 'judge.e2e.chief', 'judge.e2e.sup')
  await sampleReview(panel, page, 'judge.e2e.chief', 'judge.e2e.sup')
  await shot(page, 'supervisor-review')
  // 复核 found a copying slip in judge A's measurement at station 2: the chief judge asks for the
  // change, the supervisor approves it, and the mark carries the new value.
  await panel('judge.e2e.chief')
  await page.locator('[data-test=reopen-station] input').fill('2')
  await page.locator('[data-test=reopen-load]').click()
  await page.locator('[data-test="reopen-2.1.1-judge.e2e"]').click()
  await page.locator('[data-test=reopen-value] input').fill('53')
  await page.locator('[data-test=reopen-reason]').fill('复核：外圆实测 Φ40.01，记录誊写为 52，应为 53')
  await page.locator('[data-test=reopen-send]').click()
  await page.locator('[data-test=reopen-requests] .el-table__row', { hasText: '待监督批准' }).waitFor()
  await shot(page, 'chief-judge-reopen-request')
  await panel('judge.e2e.sup')
  await page.locator('[data-test=reopen-approve]').click()
  await page.locator('[data-test=reopen-requests] .el-table__row', { hasText: '已批准' }).waitFor()
  expect((await page.locator('[data-test=reopen-requests] .el-table__row').first().innerText()).includes('52 → 53'), 'old and new value')
  await shot(page, 'supervisor-reopen-approved')
  await panel('judge.e2e.chief')
  await page.locator('[data-test=reopen-station] input').fill('2')
  await page.locator('[data-test=reopen-load]').click()
  const changed = await page.locator('[data-test=station-marks] .el-table__row', { hasText: 'judge.e2e' }).filter({ hasText: '2.1.1' }).first().innerText()
  expect(changed.includes('53 / 60') && changed.includes('已锁定'), `re-opened and locked again: ${changed}`)
  // A disqualification takes two people too: the chief judge proposes one for station 1 (a phone
  // seen at the bench), the supervisor looks into it and declines it with a note.
  await panel('judge.e2e.chief')
  await page.locator('[data-test=dq-station] input').fill('1')
  await page.locator('[data-test=dq-reason]').fill('赛场内发现使用手机')
  await page.locator('[data-test=dq-propose]').click()
  await page.locator('[data-test=dq-list] .el-table__row', { hasText: '待监督批准' }).waitFor()
  await panel('judge.e2e.sup')
  await page.locator('[data-test=dq-decline]').click()
  await page.locator('.el-message-box input').fill('经查为计时器，不属违规')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.locator('[data-test=dq-list] .el-table__row', { hasText: '未批准' }).waitFor()
  await shot(page, 'supervisor-disqualification-declined')
  await decrypt(panel, page, 'judge.e2e.enc', 'judge.e2e.sup')

  // The organiser computes the results and publishes them; the public sees them.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(`${base}/manage/competitions/${competition}`)
  // The event's own acts have taken it (and the competition with it) to decrypted.
  await page.locator('[data-test=stage-6-18-01-01]', { hasText: '已解密' }).waitFor()
  await page.locator('[data-test=status]', { hasText: '已解密' }).waitFor()
  await page.getByRole('tab', { name: '结果与奖项' }).click()
  await page.locator('[data-test=compute]').click()
  await page.locator('[data-test=result-status]', { hasText: '暂定' }).waitFor()
  await page.locator('[data-test=publish-results]').click()
  await confirm(page)
  await page.locator('[data-test=result-status]', { hasText: '公示中' }).waitFor()
  await shot(page, 'organiser-results')
  // The public (logged out) sees the published results with masked ID numbers.
  await page.locator('[data-test=logout]').click()
  await page.goto(`${base}/events/${event}/results`)
  await page.locator('[data-test=results] .el-table__row').nth(1).waitFor()
  const first = await page.locator('[data-test=results] .el-table__row').first().innerText()
  expect(first.includes('和丽华') || first.includes('岩罕'), `names after decryption: ${first}`)
  expect(first.includes('**********'), `masked ID numbers: ${first}`)
  await shot(page, 'public-results')

  // A contestant sees their own announced score and the appeal deadline, and appeals; the arbiter
  // accepts and dismisses it, and the ruling is final.
  await loginAs(page, base, '13911110001', 'e2e-contestant-password')
  await page.goto(`${base}/me/registrations`)
  const own = await page.locator('[data-test=own-score]').first().innerText()
  expect(/第[12]名 · \d+\.\d\d分/.test(own) && own.includes('申诉截止'), `own score and deadline: ${own}`)
  await shot(page, 'contestant-own-score')
  await page.getByRole('button', { name: '申诉' }).first().click()
  await page.locator('.el-message-box textarea').fill('对实操模块工艺评分有异议')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('申诉已提交').first().waitFor()
  await loginAs(page, base, 'judge.e2e.arb', 'E2e-judge-password-1')
  await page.goto(`${base}/judging/${event}/panel`)
  await page.getByRole('button', { name: '受理' }).click()
  await page.getByRole('button', { name: '驳回' }).click()
  await page.locator('.el-message-box textarea').fill('经复看录像，评分符合评分标准，维持原评分')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('已驳回').first().waitFor()
  await shot(page, 'arbiter-ruling')

  // Final results once the appeal window (2 minutes in this run) has closed; the awards the rules
  // give are proposed and certified by Kunming's union.
  // The deadline the contestant was shown (to the minute, Beijing time), and a minute's margin.
  const shown = own.match(/申诉截止：(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})/)
  expect(shown, `the deadline is shown: ${own}`)
  const deadline = Date.parse(`${shown[1]}-${shown[2]}-${shown[3]}T${shown[4]}:${shown[5]}:00+08:00`) + 61_000
  await page.waitForTimeout(Math.max(0, deadline - Date.now()))
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(`${base}/manage/competitions/${competition}`)
  await page.getByRole('tab', { name: '结果与奖项' }).click()
  await page.locator('[data-test=finalise]').click()
  await confirm(page)
  await page.locator('[data-test=result-status]', { hasText: '最终成绩' }).waitFor()
  await page.locator('[data-test=propose]').click()
  await page.locator('[data-test=proposals] .el-table__row').first().waitFor()
  await shot(page, 'organiser-award-proposals')
  await loginAs(page, base, 'official.kunming', accounts['official.kunming'])
  await page.goto(`${base}/awards`)
  await choose(page, '[data-test=competition]', '评分演练', '昆明市车工决赛（评分演练）')
  await page.locator('[data-test=awards] .el-table__row').first().waitFor()
  // The union certifies prizes and titles (skill levels go to HRSS): filter to the 技术状元.
  await page.locator('[data-test=award-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '技术状元' }).click()
  await page.locator('[data-test=awards] .el-table__row').first().waitFor()
  await page.locator('[data-test=awards] thead .el-checkbox').click()
  for (const action of ['confirm', 'publicise', 'grant', 'issue_certificate']) {
    await page.locator(`[data-test=batch-${action}]`).click()
    await page.getByText('已处理 1 项').first().waitFor()
    await page.waitForTimeout(400)
    await page.locator('[data-test=awards] thead .el-checkbox').click()
  }
  await page.locator('[data-test=awards] .el-table__row').first().getByText('已发证').waitFor()
  await shot(page, 'official-certified')
  const certificate = await certificateOf(page, page.locator('[data-test=awards] .el-table__row').first())
  const verified = await verifyOnPage(page, base, certificate)
  expect(verified.includes('技术状元') && verified.includes('有效'), verified)
  // The dashboard of Kunming's officials counts this year's 技术状元.
  await page.goto(`${base}/dashboard`)
  await choose(page, '[data-test=year]', String(Number(day(0).slice(0, 4))), String(Number(day(0).slice(0, 4))))
  await page.getByRole('button', { name: '查询' }).click()
  await page.locator('[data-test=totals]').waitFor()
  const totals = await page.locator('[data-test=totals]').innerText()
  expect(/技术状元与技术能手\s*\n?\s*[1-9]/.test(totals), `the champion is counted: ${totals}`)
  await shot(page, 'official-dashboard-kunming')
})

/** A county's marking scheme: a theory paper and one practical module of two measurements, each
 *  marked by one judge. */
const COUNTY_SCHEME = [
  '模块,类型,评分项,评分要素,类别,分值,标准',
  '理论知识,理论,理论,理论试卷,测量,100,',
  '实操模块A,实操,尺寸精度,外圆 Φ40±0.02,测量,60,超差不得分',
  '实操模块A,实操,尺寸精度,内孔 Φ25±0.02,测量,40,超差不得分',
].join('\n')

/** Thirty workers of the machine factory: a name (some of minority peoples, with ·) and an ID number. */
const COUNTY_WORKERS = ['张伟', '王芳', '李强', '刘洋', '陈静', '杨磊', '赵敏', '黄勇', '周杰', '吴霞', '徐涛', '孙丽', '马俊', '朱琳', '胡斌',
  '郭颖', '何平', '高翔', '林峰', '罗娟', '扎西·多吉', '玉香·岩', '阿布·木呷', '刀美兰', '李·沙玛', '杨春', '段云', '普梅', '和建', '岩帕']
  .map((name, i) => [`1391222${String(i).padStart(4, '0')}`, name, idNumber(`5301021990${String((i % 12) + 1).padStart(2, '0')}15${String(300 + i)}`)])

/** A judge marks one section on their own tablet, station by station: `values(station)` gives the
 *  aspects' values in the sheet's order. */
async function markSection(page, base, event, section, stations, codes, values) {
  await page.goto(`${base}/judging/${event}/sheet/${section}`)
  for (let s = 1; s <= stations; s++) {
    await page.locator('[data-test=save-station]', { hasText: `保存 ${s} 号工位` }).waitFor()
    for (const [i, code] of codes.entries()) await page.locator(`[data-test="mark-${code}"]`).fill(String(values(s)[i]))
    await page.keyboard.press('Control+Enter')
    await page.getByText(`${s} 号工位已保存`).first().waitFor()
  }
  await page.locator('[data-test=unsynced]', { hasText: '待同步 0' }).waitFor()
  await page.locator('[data-test=sign]').click()
  await page.locator('[data-test=sign]', { hasText: '已签名' }).waitFor()
}

test('a county season in the browser: 五华区 sets up a contest from a spreadsheet, links it to Kunming\'s, reviews 30 sign-ups in bulk, staffs, draws, checks in, marks, and its qualifiers appear in the prefecture\'s event', async ({ page, base, accounts }) => {
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  const manage = await wizardContestToday(page, '五华区数控车工技能比武', '比赛内容：外圆与内孔车削。', COUNTY_SCHEME)
  const competition = manage.split('/').pop()
  // The county's top three go on to Kunming's contest of the season, once its organisers accept.
  await page.locator('[data-test=link-target]').click()
  await page.keyboard.type('昆明市职工')
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: '昆明市职工职业技能大赛' }).first()
  const target = (await option.innerText()).replace(/（.*$/, '').trim()
  await option.click()
  await page.locator('[data-test=link-save]').click()
  await page.locator('[data-test=feeds-into]').getByText('待上级赛事确认').waitFor()
  // The event's rules: thirty from the one factory may enter, three qualify, appeals close at once.
  await page.locator('[data-test="setup-6-18-01-01"]').click()
  await page.waitForURL(/\/manage\/events\//)
  const event = page.url().split('/').pop().split('?')[0]
  await page.getByRole('tab', { name: '项目设置' }).click()
  await page.locator('[data-test=quota-per-unit] input').fill('30')
  await page.locator('[data-test=qualifiers-count] input').fill('3')
  await page.locator('[data-test=event-settings] .el-form-item', { hasText: '申诉时限' }).locator('input').first().fill('0')
  await page.locator('[data-test=save-settings]').click()
  await page.getByText('项目设置已保存').first().waitFor()
  // The panel from 五华区's own judges.
  await page.getByRole('tab', { name: '裁判组' }).click()
  for (const [username, role] of [['judge.wuhua', '裁判员'], ['judge.wh.chen', '裁判长'], ['judge.wh.liu', '加密裁判'], ['judge.wh.ma', '监督']]) {
    await choose(page, '[data-test=appoint-user]', username, username)
    await page.locator('[data-test=appoint-role]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^${role}$`) }).click()
    await page.locator('[data-test=appoint]').click()
    await page.locator('[data-test=roles] .el-table__row', { hasText: username }).waitFor()
  }
  for (const section of ['理论知识', '实操模块A']) {
    await page.locator('[data-test=assign-judge]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^段红军（judge\.wuhua，/ }).click()
    await page.locator('[data-test=assign-section]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: section }).click()
    await page.locator('[data-test=assign]').click()
    await page.getByText('已为 judge.wuhua 分配').first().waitFor()
  }
  await page.goto(manage)
  for (const to of ['published', 'registration_open']) {
    await page.locator(`[data-test=to-${to}]`).click()
    await confirm(page)
  }
  await page.locator('[data-test=status]', { hasText: '报名中' }).waitFor()

  // Kunming's organiser accepts the link on their own page.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.locator('[data-test=side-menu] [data-test=nav-manage]').click()
  await page.locator('[data-test=managed]').getByRole('link', { name: target }).click()
  await page.waitForURL(/\/manage\/competitions\//)
  const prefecture = page.url()
  const request = page.locator('[data-test=feeder-requests] .el-table__row', { hasText: '五华区数控车工技能比武' })
  await request.locator('[data-test=accept-feeder]').click()
  await page.getByText('已确认，决赛成绩确定后其晋级选手将进入本赛事').first().waitFor()

  // Thirty workers open accounts and sign up on their own.
  await signUpThroughPages(page, base, competition, COUNTY_WORKERS)

  // 五华区 approves all thirty at once, then closes registration and takes the roster to final.
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '报名审核' }).click()
  await page.locator('[data-test=queue-counts]', { hasText: '待审核 30' }).waitFor()
  await approveAllShown(page, 30)
  await page.locator('[data-test=queue-counts]', { hasText: '已录取 30' }).waitFor()
  await shot(page, 'county-review-bulk')
  await page.getByRole('tab', { name: '概况' }).click()
  await page.locator('[data-test=to-registration_closed]').click()
  await page.locator('.el-message-box input').fill('报名人员已确定')
  await page.locator('.el-message-box .el-button--primary').click()
  for (const to of ['roster_publicity', 'roster_final']) {
    await page.locator(`[data-test=to-${to}]`).click()
    await confirm(page)
  }
  await page.locator('[data-test=status]', { hasText: '名单确定' }).waitFor()

  // The encryption judge draws; each worker brings their ticket and ID card to the door.
  await loginAs(page, base, 'judge.wh.liu', accounts['judge.wh.liu'])
  await page.goto(`${base}/judging/${event}/panel`)
  await page.locator('[data-test=draw]').click()
  await confirm(page)
  await page.locator('[data-test=draw-record] .el-table__row').nth(29).waitFor()
  const tickets = []
  for (const [username] of COUNTY_WORKERS) {
    await loginAs(page, base, username, 'e2e-contestant-password')
    await page.goto(`${base}/me/registrations`)
    tickets.push((await page.locator('[data-test=ticket-number]').first().innerText()).split('：').pop().trim())
  }
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '检录' }).click()
  for (const [i, [, name, id]] of COUNTY_WORKERS.entries()) {
    await fill(page, '[data-test=ticket]', tickets[i])
    await page.keyboard.press('Enter')
    await page.keyboard.type(id)
    await page.keyboard.press('Enter')
    await page.getByRole('cell', { name, exact: true }).first().waitFor()
  }
  await shot(page, 'county-check-in')
  // Checked in, each learns their station on their own page (nobody else's page shows it).
  await loginAs(page, base, COUNTY_WORKERS[0][0], 'e2e-contestant-password')
  await page.goto(`${base}/me/registrations`)
  const station = await page.locator('[data-test=own-station]').first().innerText()
  expect(/请到 \d+ 号工位/.test(station), `the contestant's station: ${station}`)

  // One judge marks both sections, the better the higher the station (so the ranking is known only
  // through the draw); the chief judge signs, the supervisor locks, 复核, two-person decryption.
  await loginAs(page, base, 'judge.wuhua', accounts['judge.wuhua'])
  await markSection(page, base, event, 0, 30, ['1.1.1'], (s) => [50 + s])
  await markSection(page, base, event, 1, 30, ['2.1.1', '2.1.2'], (s) => [30 + s, 10 + s])
  const panel = async (username) => {
    await loginAs(page, base, username, accounts[username])
    await page.goto(`${base}/judging/${event}/panel`)
  }
  await signAndLock(panel, page, 'judge.wh.chen', 'judge.wh.ma')
  await sampleReview(panel, page, 'judge.wh.chen', 'judge.wh.ma')
  await decrypt(panel, page, 'judge.wh.liu', 'judge.wh.ma')

  // 五华区 computes, publishes and (appeals closing at once, no publicity days) finalises.
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '结果与奖项' }).click()
  await page.locator('[data-test=compute]').click()
  await page.locator('[data-test=result-status]', { hasText: '暂定' }).waitFor()
  await page.locator('[data-test=publish-results]').click()
  await confirm(page)
  await page.locator('[data-test=result-status]', { hasText: '公示中' }).waitFor()
  await page.locator('[data-test=finalise]').click()
  await confirm(page)
  await page.locator('[data-test=result-status]', { hasText: '最终成绩' }).waitFor()
  // The county's top three, as the public results page names them, go on.
  await page.goto(`${base}/events/${event}/results`)
  await page.locator('[data-test=results] .el-table__row').nth(29).waitFor()
  const rows = await page.locator('[data-test=results] .el-table__row').allInnerTexts()
  const names = COUNTY_WORKERS.map(([, name]) => name)
  const top = rows.slice(0, 3).map((r) => names.find((n) => r.includes(n)))
  expect(top.every(Boolean), `the top three are named: ${rows.slice(0, 3)}`)
  await page.goto(manage)
  await page.getByRole('tab', { name: '结果与奖项' }).click()
  const outcomes = page.locator('[data-test=qualifier-outcomes]')
  for (const name of top) await outcomes.locator('.el-table__row', { hasText: name }).getByText('晋级', { exact: true }).waitFor()
  await shot(page, 'county-qualifier-outcomes')

  // In Kunming's contest, the three wait for its organisers' review, marked with where they qualified.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.goto(prefecture)
  await page.getByRole('tab', { name: '报名审核' }).click()
  for (const name of top) {
    await page.locator('[data-test=queue] .el-table__row', { hasText: name }).locator('[data-test=queue-origin]', { hasText: '晋级自五华区数控车工技能比武' }).waitFor()
  }
  await shot(page, 'prefecture-qualifiers-arrived')
  // A place falls free beyond the reserve list: Kunming admits the county's seventh by hand, from
  // the county's published ranking (those gone on already cannot be chosen again).
  await page.getByRole('tab', { name: '概况' }).click()
  const byHand = page.locator('[data-test=qualifiers-by-hand]')
  await byHand.locator('[data-test=qbh-origin]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '五华区数控车工技能比武' }).click()
  const ranking = byHand.locator('[data-test=qbh-ranking]')
  await ranking.locator('.el-table__row').nth(29).waitFor()
  expect((await ranking.locator('.el-table__row', { hasText: '已晋级' }).count()) === 6, 'three places and three reserves went on')
  const seventh = ranking.locator('.el-table__row').nth(6)
  const seventhName = names.find((n) => rows[6].includes(n))
  await seventh.locator('.el-checkbox').click()
  await byHand.locator('[data-test=qbh-admit]', { hasText: '录入所选 1 名' }).click()
  await confirm(page)
  await page.getByText('已录入：占用名额 1 名，候补 0 名').first().waitFor()
  await ranking.locator('.el-table__row').nth(6).getByText('已晋级').waitFor()
  await shot(page, 'prefecture-qualifiers-by-hand')
  await page.getByRole('tab', { name: '报名审核' }).click()
  await page.locator('[data-test=queue] .el-table__row', { hasText: seventhName }).locator('[data-test=queue-origin]', { hasText: '第 7 名' }).waitFor()

  // The county's prizes: proposed by its organisers, confirmed and publicised by 五华区's union.
  await loginAs(page, base, 'org.wuhua', accounts['org.wuhua'])
  await page.goto(manage)
  await page.getByRole('tab', { name: '结果与奖项' }).click()
  await page.locator('[data-test=propose]').click()
  await page.locator('[data-test=proposals] .el-table__row').first().waitFor()
  await loginAs(page, base, 'official.wuhua', accounts['official.wuhua'])
  await page.locator('[data-test=side-menu] [data-test=nav-awards]').click()
  await choose(page, '[data-test=competition]', '五华区数控', '五华区数控车工技能比武')
  await page.locator('[data-test=awards] .el-table__row').first().waitFor()
  // The union's to certify are the prizes and titles (promotions are HRSS's): the first prizes here.
  await page.locator('[data-test=award-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '一等奖' }).click()
  await page.locator('[data-test=awards] .el-table__row', { hasText: '晋升' }).first().waitFor({ state: 'detached' })
  for (const action of ['confirm', 'publicise']) {
    await page.locator('[data-test=awards] thead .el-checkbox').click()
    await page.locator(`[data-test=batch-${action}]`).click()
    await page.getByText(/已处理 \d+ 项/).first().waitFor()
    await page.waitForTimeout(400)
  }
  // On the public notice a worker objects to the first prize; the union looks into it and dismisses it.
  await loginAs(page, base, COUNTY_WORKERS[0][0], 'e2e-contestant-password')
  await page.goto(`${base}/competitions/${competition}`)
  const notice = page.locator('[data-test=award-notice]')
  const prize = notice.locator('.el-table__row', { hasText: '一等奖' }).first()
  await prize.waitFor()
  expect(!(await notice.innerText()).includes(COUNTY_WORKERS[0][2].slice(0, 10)), 'no ID numbers on the notice')
  await prize.locator('[data-test=object-award]').click()
  await page.locator('.el-message-box textarea').fill('实操评分有误，请复核')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('异议已提交').first().waitFor()
  await shot(page, 'public-award-notice')
  await loginAs(page, base, 'official.wuhua', accounts['official.wuhua'])
  await page.locator('[data-test=side-menu] [data-test=nav-awards]').click()
  await choose(page, '[data-test=competition]', '五华区数控', '五华区数控车工技能比武')
  const objection = page.locator('[data-test=award-objections] .el-table__row', { hasText: '实操评分有误' })
  await objection.locator('[data-test=dismiss-objection]').click()
  await page.locator('.el-message-box textarea').fill('经复核评分记录，评分无误，异议不成立')
  await page.locator('.el-message-box .el-button--primary').click()
  await objection.getByText('已驳回').waitFor()
  await shot(page, 'official-award-objection-ruled')
})

test('an admin grants a role, enters a holiday in the working-day calendar and verifies the audit trail', async ({ page, base, accounts }) => {
  await loginAs(page, base, 'admin', accounts.admin)
  // 五华区's union gets a second official: a Kunming judge also certifies there.
  await page.locator('[data-test=side-menu] [data-test=nav-accounts]').click()
  await fill(page, '[data-test=account-search]', 'judge.km.zhou')
  await page.locator('input[data-test=account-search], [data-test=account-search] input').first().press('Enter')
  await page.locator('[data-test=accounts] .el-table__row', { hasText: 'judge.km.zhou' }).waitFor()
  await page.locator('[data-test="grant-judge.km.zhou"]').click()
  await page.locator('[data-test=grant-role]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '认定官员' }).click()
  await choose(page, '[data-test=grant-organisation]', '五华区总工会', '五华区总工会')
  await page.locator('[data-test=grant-save]').click()
  await page.locator('[data-test="grant-judge.km.zhou-official"]').waitFor()
  // The calendar: a worked weekend day two years on (no season of the demo reaches it).
  const later = Number(day(0).slice(0, 4)) + 2
  await page.locator('[data-test=side-menu] [data-test=nav-calendar]').click()
  await typeDate(page, 'calendar-day', `${later}-10-12`)
  await page.locator('[data-test=calendar-kind]').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: '调休上班日' }).click()
  await fill(page, '[data-test=calendar-name]', '国庆节调休')
  await page.locator('[data-test=calendar-save]').click()
  await page.getByText(`${later}-10-12 已保存`).first().waitFor()
  await fill(page, '[data-test=calendar-year]', String(later))
  await page.locator('[data-test=calendar-year] input').press('Enter')
  await page.locator('[data-test=calendar]').getByText('国庆节调休').waitFor()
  // A system default: new events take six places per unit from now on.
  await page.locator('[data-test=side-menu] [data-test=nav-settings]').click()
  await page.locator('[data-test=setting-quota_per_organisation] input').fill('6')
  await page.locator('[data-test=setting-quota_per_organisation] input').press('Tab')
  await page.locator('[data-test=setting-save-quota_per_organisation]').click()
  await page.getByText('已保存：每个推荐单位名额').first().waitFor()
  await page.locator('[data-test=settings] .el-table__row', { hasText: '每个推荐单位名额' }).getByText('（默认）').waitFor({ state: 'detached' })
  await shot(page, 'admin-settings')
  // The audit trail holds the changes, and its hash chain verifies end to end.
  await page.locator('[data-test=side-menu] [data-test=nav-audit]').click()
  await fill(page, '[data-test=audit-action]', 'grant.create')
  await page.locator('[data-test=audit-search]').click()
  await page.locator('[data-test=audit] .el-table__row', { hasText: 'grant.create' }).first().waitFor()
  await page.locator('[data-test=audit-verify]').click()
  await page.locator('[data-test=audit-verification]').getByText('审计链完整').waitFor()
  await shot(page, 'admin-audit')
  // The organisation tree opens at the national root.
  await page.locator('[data-test=side-menu] [data-test=nav-organisations]').click()
  await page.locator('[data-test=org-tree]').getByText('中华全国总工会').waitFor()
})

test('each person lands on their own start page, with a menu for their roles and what waits for them', async ({ page, base, accounts }) => {
  // An organiser: the management pages and the reviews, corrections and links that wait.
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.waitForURL(/\/home$/)
  await page.locator('[data-test=todo-reviews_waiting]').waitFor()
  await page.locator('[data-test=todo-corrections_waiting]').waitFor()
  expect(await page.locator('[data-test=side-menu] [data-test=nav-manage]').isVisible(), 'the organiser manages')
  expect((await page.locator('[data-test=side-menu] [data-test=nav-judging]').count()) === 0, 'an organiser has no mark sheets')
  await shot(page, 'home-organiser')
  await page.locator('[data-test=todo-reviews_waiting]').click()
  await page.locator('[data-test=managed]').waitFor()
  // A judge: the sheets, and none of the organisers' pages.
  await loginAs(page, base, 'judge.km.zhao', accounts['judge.km.zhao'])
  await page.locator('[data-test=todo-sheets_to_sign]').waitFor()
  expect((await page.locator('[data-test=side-menu] [data-test=nav-manage]').count()) === 0, 'a judge manages nothing')
  expect((await page.locator('[data-test=todo-reviews_waiting]').count()) === 0, 'a judge reviews no registrations')
  await shot(page, 'home-judge')
  // An official: the awards their body certifies.
  await loginAs(page, base, 'official.union', accounts['official.union'])
  await page.locator('[data-test=todo-awards_to_certify]').waitFor()
  expect(await page.locator('[data-test=side-menu] [data-test=nav-awards]').isVisible(), 'the official certifies')
  // A contestant: their own registrations and honours, by their name.
  await loginAs(page, base, '13912345678', 'e2e-contestant-password')
  await page.locator('[data-test=todo-invitations]').waitFor()
  await page.locator('[data-test=display-name]', { hasText: '木呷·阿依莎' }).waitFor()
  expect((await page.locator('[data-test=side-menu] [data-test=nav-manage]').count()) === 0, 'a contestant manages nothing')
  await shot(page, 'home-contestant')
})

test('an organiser opens a judge account and hands over a reset link; the judge sets a password, keeps the session over a reload, and changes it', async ({ page, base, accounts, browser }) => {
  await loginAs(page, base, 'org.kunming', accounts['org.kunming'])
  await page.locator('[data-test=nav-accounts]').click()
  await fill(page, '[data-test=account-username]', 'judge.reset.e2e')
  await fill(page, '[data-test=account-password]', 'Initial-password-2026')
  await choose(page, '[data-test=account-organisation]', '昆明', '昆明市总工会')
  await page.locator('[data-test=account-create]').click()
  await page.getByText('已创建账号 judge.reset.e2e').first().waitFor()
  await page.locator('[data-test="reset-judge.reset.e2e"]').click()
  const link = await page.locator('input[data-test=reset-link], [data-test=reset-link] input').first().inputValue()
  expect(link.startsWith(`${base}/reset-password#`), `a reset link: ${link}`)
  await shot(page, 'organiser-accounts-reset-link')
  await page.locator('[data-test=reset-link-close]').click()

  // The judge, on their own device.
  const own = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const judge = await own.newPage()
  judge.setDefaultTimeout(15_000)
  try {
    await judge.goto(link)
    await judge.locator('[data-test=new-password]').waitFor()
    expect(!judge.url().includes('#'), 'the token is taken off the address bar')
    await fill(judge, '[data-test=new-password]', 'Judges-own-password-1')
    await fill(judge, '[data-test=new-password-again]', 'Judges-own-password-1')
    await judge.locator('[data-test=reset-submit]').click()
    await judge.locator('[data-test=username]').waitFor()
    await fill(judge, '[data-test=username]', 'judge.reset.e2e')
    await fill(judge, '[data-test=password]', 'Judges-own-password-1')
    await judge.locator('[data-test=submit]').click()
    await judge.locator('[data-test=logout]').waitFor()
    // No script can read the session: no token in storage, the refresh cookie is HttpOnly.
    const stored = await judge.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie)
    expect(!/eyJ|skillcomp_refresh/.test(stored), `nothing secret in the page's reach: ${stored}`)
    await judge.reload()
    await judge.locator('[data-test=logout]').waitFor()
    await judge.goto(`${base}/me/profile`)
    await fill(judge, '[data-test=current-password]', 'Judges-own-password-1')
    await fill(judge, '[data-test=new-password]', 'Judges-newer-password-2')
    await fill(judge, '[data-test=new-password-again]', 'Judges-newer-password-2')
    await judge.locator('[data-test=change-password-submit]').click()
    await judge.getByText('密码已修改').first().waitFor()
    await shot(judge, 'judge-password-changed')
    await loginAs(judge, base, 'judge.reset.e2e', 'Judges-newer-password-2')
  } finally {
    await own.close()
  }
  // The same link does not work twice.
  await page.goto(link)
  await fill(page, '[data-test=new-password]', 'Someone-elses-password-3')
  await fill(page, '[data-test=new-password-again]', 'Someone-elses-password-3')
  await page.locator('[data-test=reset-submit]').click()
  await page.getByText('重置链接无效').first().waitFor()
})

const server = await startServer()
// From here on the tests reach the server only through the browser's pages: the harness itself
// makes no request (tests/unit/e2e-pages-only.test.mjs checks the source for other ways round).
globalThis.fetch = () => {
  throw new Error('the browser tests speak to the server through its pages only')
}
let browser
let passed = 0
let failed = 0
try {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
  // E2E_ONLY=<part of a name> runs just those (while working on one story).
  for (const t of tests.filter((t) => !process.env.E2E_ONLY || t.name.includes(process.env.E2E_ONLY))) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))
    try {
      await t.fn({ page, base: server.base, accounts: server.accounts, browser })
      expect(errors.length === 0, `errors in the page: ${errors.join('; ')}`)
      passed++
      console.log(`ok      ${t.name}`)
    } catch (e) {
      failed++
      console.log(`FAILED  ${t.name}\n        ${e.message}`)
      await shot(page, `failed-${passed + failed}`).catch(() => undefined)
    }
    await context.close()
  }
} finally {
  await browser?.close()
  server.stop()
}
console.log(`browser tests: test result: ${failed ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed (screenshots in frontend/test-output/)`)
process.exit(failed ? 1 : 0)
