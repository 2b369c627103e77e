// Opens /dashboard of a live Casegraph server in headless Chromium as an anonymous visitor
// would (no key, the server's own budgets), in English, Chinese and Arabic, then reloads it
// 30 times within a minute. Every load must end drawn ("ready"), without the error banner,
// with bars in every chart; at the end the server must have throttled nothing (the page
// retries a 429 by itself, so the server's counter is the witness, not the page).
//
//   node reloads.mjs http://127.0.0.1:8080 [SCREENSHOT_DIR]
import { chromium } from 'playwright-core';

const base = process.argv[2];
const screenshots = process.argv[3];
if (!base) {
  console.error('usage: node reloads.mjs BASE_URL [SCREENSHOT_DIR]');
  process.exit(2);
}

const CHARTS = ['byCategory', 'byOrganisationType', 'byCountry', 'byCollection', 'byMonth',
  'followUpActionsByKind', 'followUpActionsByStatus'];
const LANGUAGES = ['en', 'zh', 'ar'];
const RELOADS = 30;
const PERIOD_MS = 2000;

async function rejections() {
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const line = metrics.split('\n').find((text) => text.startsWith('rate_limit_rejections_total'));
  return line ? Number(line.trim().split(/\s+/).pop()) : 0;
}

async function checkDrawn(page, label) {
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 20000 });
  const state = await page.getAttribute('body', 'data-state');
  const banner = await page.$eval('.error', (element) => (element.hidden ? '' : element.textContent));
  if (state !== 'ready' || banner) {
    throw new Error(`${label}: the page ended "${state}" with the banner "${banner}"`);
  }
  const empty = [];
  for (const chart of CHARTS) {
    const bars = await page.$$eval(`g[data-chart="${chart}"]`, (elements) => elements.length);
    if (bars === 0) empty.push(chart);
  }
  if (empty.length) throw new Error(`${label}: no bars in ${empty.join(', ')}`);
  const direction = await page.getAttribute('html', 'dir');
  const lang = await page.getAttribute('html', 'lang');
  return { direction, lang };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = false;
try {
  const before = await rejections();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1900 } });
  for (const lang of LANGUAGES) {
    await page.goto(`${base}/dashboard?lang=${lang}`);
    const shown = await checkDrawn(page, `first load (${lang})`);
    const expected = lang === 'ar' ? 'rtl' : 'ltr';
    if (shown.lang !== lang || shown.direction !== expected) {
      throw new Error(`${lang}: html lang="${shown.lang}" dir="${shown.direction}", expected ${expected}`);
    }
    if (screenshots) await page.screenshot({ path: `${screenshots}/dashboard-${lang}.png`, fullPage: true });
    console.log(`first load (${lang}): every chart drawn, dir=${shown.direction}`);
  }
  const started = Date.now();
  for (let reload = 0; reload < RELOADS; reload += 1) {
    const due = started + reload * PERIOD_MS;
    if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const lang = LANGUAGES[reload % LANGUAGES.length];
    await page.goto(`${base}/dashboard?lang=${lang}`);
    await checkDrawn(page, `reload ${reload + 1} (${lang})`);
  }
  const seconds = (Date.now() - started) / 1000;
  const throttled = (await rejections()) - before;
  console.log(`${RELOADS} reloads in ${seconds.toFixed(1)} s: every chart drawn each time; requests throttled: ${throttled}`);
  if (seconds > 62) throw new Error(`the reloads took ${seconds.toFixed(1)} s, not a minute`);
  if (throttled !== 0) throw new Error(`the server throttled ${throttled} of the page's requests`);
} catch (error) {
  failed = true;
  console.error(`dashboard-browser: ${error.message}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
