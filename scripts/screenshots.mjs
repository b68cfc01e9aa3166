// Screenshots of the review page in headless Chromium (Debian's /usr/bin/chromium): desktop
// 1280x800, phone 375x812 (the whole page, and its waterfall card), dark (desktop,
// prefers-color-scheme: dark), and a what-if edit that shows the ghost of the original bars and
// the threshold line (the waterfall card on a desktop, and on a phone in dark mode); the "What
// would flip it?" card (desktop, and a phone in dark mode); the panels under the record (feature
// curve, similar records, group context) on a desktop, light and dark, with a categorical curve,
// and on a phone.
// Usage: node scripts/screenshots.mjs DIST OUTDIR. Prints one line per PNG written.
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchChromium } from './page_host.mjs';

const dist = path.resolve(process.argv[2] || 'dist');
const out = path.resolve(process.argv[3] || 'build/screenshots');

const { url, server } = await serveDist(dist);

// A what-if edit a reviewer would make: a numeric feature of the first record moved by a
// quarter of its training range (Adult: Hours per week), typed key by key.
async function edit(page) {
  const { assets } = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
  const schema = JSON.parse(fs.readFileSync(path.join(dist, assets.schema), 'utf8'));
  const f = schema.features.find((c) => c.name === 'Hours per week') ||
    schema.features.find((c) => c.type === 'numeric' && Number.isFinite(c.min) && Number.isFinite(c.max));
  if (!f) return;
  const input = page.locator(`[data-testid=feature-input][data-feature="${f.name}"]`);
  const now = Number(await input.inputValue());
  const step = (f.max - f.min) / 4;
  const next = now + step <= f.max ? now + step : now - step;
  await input.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(Number(next.toPrecision(3))));
  await page.keyboard.press('Escape');
}

const shots = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 375, height: 812 }, fullPage: true },
  { name: 'phone-waterfall', viewport: { width: 375, height: 812 }, waterfall: true },
  { name: 'dark', viewport: { width: 1280, height: 800 }, colorScheme: 'dark' },
  { name: 'what-if', viewport: { width: 1280, height: 800 }, edit: true, waterfall: true },
  { name: 'what-if-phone-dark', viewport: { width: 375, height: 812 }, edit: true, waterfall: true, colorScheme: 'dark' },
  { name: 'flip-panel', viewport: { width: 1280, height: 800 }, flips: true },
  { name: 'flip-panel-phone-dark', viewport: { width: 375, height: 812 }, flips: true, colorScheme: 'dark' },
  { name: 'panels', viewport: { width: 1280, height: 800 }, edit: true, panels: true },
  { name: 'panels-dark-category', viewport: { width: 1280, height: 800 }, panels: true, curve: 'Occupation', colorScheme: 'dark' },
  { name: 'panels-phone', viewport: { width: 375, height: 812 }, panels: true },
];
const browser = await launchChromium();
fs.mkdirSync(out, { recursive: true });
try {
  for (const s of shots) {
    const page = await browser.newPage({ viewport: s.viewport, colorScheme: s.colorScheme || 'light' });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => window.verdictReady === true, null, { timeout: 30000 });
    if (s.edit) await edit(page);
    const file = path.join(out, `${s.name}.png`);
    if (s.flips) {  // "What would flip it?" once its search is done
      await page.waitForFunction(() => document.querySelector('[data-testid=flip-panel]')?.dataset.state === 'done');
      const card = page.locator('[data-testid=flip-panel]');
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: file });
    } else if (s.panels) {
      await page.locator('[data-testid=similar-row]').first().waitFor({ timeout: 20000 });
      if (s.curve && await page.locator(`[data-testid=curve-feature] option`, { hasText: s.curve }).count()) {
        await page.selectOption('[data-testid=curve-feature]', { label: s.curve });
      }
      await page.locator('.panels').screenshot({ path: file });
    } else if (s.waterfall) {
      const card = page.locator('[data-testid=waterfall]').locator('xpath=ancestor::section[1]');
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: file });
    } else {
      await page.screenshot({ path: file, fullPage: Boolean(s.fullPage) });
    }
    const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
    console.log(`${file}  (page width ${width} px in a ${s.viewport.width} px viewport${errors.length ? `; errors: ${errors.join('; ')}` : ''})`);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
