// The review page on a phone and for every reader (issue 14): no horizontal overflow at 375 px
// and waterfall text a person can read there; dark mode by prefers-color-scheme; WCAG AA
// contrast (4.5:1) for the text on and beside the bars in both modes; a live region that
// announces the new score after an edit; range hints tied to their inputs.
// VERDICT_DIST=dist VERDICT_BIN=build/native/verdict node --test tests/web/page_access.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dist, missing, staticServer, launch, waitReady, readDistJson, testWithBrowser } from './harness.mjs';

const readJson = (name) => readDistJson(name);

const withBrowser = testWithBrowser;

async function openPage(browser, url, options) {
  const page = await browser.newPage(options);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitReady(page);
  return { page, errors };
}

async function edit(page, feature, text) {
  const input = page.locator(`[data-testid=feature-input][data-feature="${feature}"]`);
  await input.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

// WCAG 2 contrast ratios measured in the page from computed styles: every value text of the
// waterfall against what it sits on (its bar when inside one, else the card), every other text
// of the waterfall against the card. Returns [{ what, ratio }].
const measureContrast = (page) => page.evaluate(() => {
  const rgb = (s) => {
    const m = s.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?/);
    if (!m) throw new Error(`not a colour: ${s}`);
    return { c: [Number(m[1]), Number(m[2]), Number(m[3])], a: m[4] === undefined ? 1 : Number(m[4]) };
  };
  const lum = ({ c }) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((u, v) => v - u); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0.99) return c;
    }
    return rgb('rgb(255, 255, 255)');
  };
  const svg = document.querySelector('[data-testid=waterfall]');
  const card = background(svg);
  const out = [];
  for (const text of svg.querySelectorAll('text')) {
    if (!text.textContent.trim()) continue;
    const fill = rgb(getComputedStyle(text).fill);
    const g = text.closest('[data-testid=shap-bar], [data-testid=shap-other]');
    const onBar = text.dataset.inside === 'true';
    const under = onBar ? rgb(getComputedStyle(g.querySelector('[data-role=bar]')).fill) : card;
    out.push({ what: `${onBar ? 'on' : 'beside'} ${g ? g.dataset.feature || 'other' : 'axis'}: ${text.textContent}`, ratio: ratio(fill, under) });
  }
  const body = getComputedStyle(document.body);
  out.push({ what: 'body text', ratio: ratio(rgb(body.color), background(document.body)) });
  for (const sel of ['.features .range', '.note', '.was', '.threshold-distance']) {
    const el = document.querySelector(sel);
    if (el && el.textContent.trim()) out.push({ what: sel, ratio: ratio(rgb(getComputedStyle(el).color), background(el)) });
  }
  return out;
});

withBrowser('a 375 px phone: no horizontal overflow, readable waterfall text', async (browser, url) => {
  const { page, errors } = await openPage(browser, url, { viewport: { width: 375, height: 812 } });
  const overflow = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(await overflow() <= 375, `page is ${await overflow()} px wide at 375 px`);
  const schema = readJson('schema.json');
  const num = schema.features.find((f) => f.name === 'Hours per week') || schema.features.find((f) => f.type === 'numeric');
  await edit(page, num.name, String(num.max));
  assert.ok(await overflow() <= 375, `after an edit the page is ${await overflow()} px wide`);
  // Every waterfall text is drawn at 11 px or more on screen and stays inside the picture.
  const texts = await page.$$eval('[data-testid=waterfall] text', (ts) => {
    const svg = ts[0].ownerSVGElement;
    const box = svg.getBoundingClientRect();
    const scale = box.width / svg.viewBox.baseVal.width;
    return ts.filter((t) => t.textContent.trim()).map((t) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale,
        inside: r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5 };
    });
  });
  assert.ok(texts.length > 5);
  for (const t of texts) {
    assert.ok(t.px >= 11, `"${t.text}" is ${t.px.toFixed(1)} px on screen`);
    assert.ok(t.inside, `"${t.text}" is clipped`);
  }
  // The record table fits: no control runs out of its card.
  const outside = await page.$$eval('[data-testid=feature-input]', (cs) => cs.filter((c) => {
    const card = c.closest('section').getBoundingClientRect();
    const r = c.getBoundingClientRect();
    return r.right > card.right + 0.5;
  }).map((c) => c.dataset.feature));
  assert.deepEqual(outside, []);
  assert.deepEqual(errors, []);
});

withBrowser('dark mode by prefers-color-scheme, and text contrast of at least 4.5:1 on and beside the bars in both modes', async (browser, url) => {
  const schema = readJson('schema.json');
  const num = schema.features.find((f) => f.name === 'Capital Gain') || schema.features.find((f) => f.type === 'numeric');
  for (const colorScheme of ['light', 'dark']) {
    const { page, errors } = await openPage(browser, url, { viewport: { width: 1280, height: 900 }, colorScheme });
    const bg = await page.evaluate(() => {
      const lum = (s) => s.match(/\d+/g).slice(0, 3).map(Number).reduce((a, v) => a + v, 0) / 3;
      const card = document.querySelector('[data-testid=waterfall]').closest('section');
      return { body: lum(getComputedStyle(document.body).backgroundColor), card: lum(getComputedStyle(card).backgroundColor),
        input: lum(getComputedStyle(document.querySelector('[data-testid=feature-input]')).backgroundColor),
        label: lum(getComputedStyle(document.querySelector('[data-testid=shap-bar] text')).fill) };
    });
    if (colorScheme === 'dark') {
      assert.ok(bg.body < 60 && bg.card < 60 && bg.input < 60, `dark backgrounds: ${JSON.stringify(bg)}`);
      assert.ok(bg.label > 180, 'light text on the dark waterfall');
    } else {
      assert.ok(bg.body > 200 && bg.card > 200 && bg.label < 80, `light: ${JSON.stringify(bg)}`);
    }
    // Some values sit on their bar and some beside it: a large edit makes wide and narrow bars.
    for (const step of ['first', 'edit']) {
      if (step === 'edit') await edit(page, num.name, String(num.max));
      const ratios = await measureContrast(page);
      assert.ok(ratios.some((r) => r.what.startsWith('on ')) || step === 'first', 'some values are on a bar');
      assert.ok(ratios.some((r) => r.what.startsWith('beside ')));
      for (const r of ratios) assert.ok(r.ratio >= 4.5, `${colorScheme}, ${step}: ${r.what} has contrast ${r.ratio.toFixed(2)}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  }
});

withBrowser('a live region announces the new score after an edit', async (browser, url) => {
  const schema = readJson('schema.json');
  const batch = readJson('review_batch.json');
  const t = batch.threshold ?? 0.5;
  const { page, errors } = await openPage(browser, url, { viewport: { width: 1280, height: 900 } });
  const live = page.locator('[data-testid=score-live]');
  assert.equal(await live.getAttribute('aria-live'), 'polite');
  const before = await live.textContent();
  const num = schema.features.find((f) => f.name === 'Capital Gain') || schema.features.find((f) => f.type === 'numeric');
  await edit(page, num.name, String(num.max));
  await page.waitForFunction((b) => document.querySelector('[data-testid=score-live]').textContent !== b, before, { timeout: 5000 });
  const p = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
  const label = await page.textContent('[data-testid=predicted-outcome]');
  const side = p > t ? 'above' : p < t ? 'below' : 'at';
  assert.equal(await live.textContent(), `Probability ${p.toFixed(3)}, ${side} the ${t} threshold: ${label}`);
  // Debounced: a burst of keystrokes gives one announcement, of the last score.
  await page.evaluate(() => {
    window.__announced = [];
    new MutationObserver(() => window.__announced.push(document.querySelector('[data-testid=score-live]').textContent))
      .observe(document.querySelector('[data-testid=score-live]'), { childList: true, characterData: true, subtree: true });
  });
  await edit(page, num.name, '12345');
  await page.waitForTimeout(1500);
  const announced = await page.evaluate(() => window.__announced.filter((s) => s));
  const p2 = Number(await page.getAttribute('[data-testid=probability]', 'data-value'));
  assert.equal(announced.length, 1, `one announcement for a burst: ${JSON.stringify(announced)}`);
  assert.match(announced[0], new RegExp(`^Probability ${p2.toFixed(3)}, `));
  assert.deepEqual(errors, []);
});

withBrowser('range hints are tied to their inputs with aria-describedby', async (browser, url) => {
  const schema = readJson('schema.json');
  const { page, errors } = await openPage(browser, url, { viewport: { width: 1280, height: 900 } });
  let numeric = 0;
  for (const f of schema.features) {
    const input = page.locator(`[data-testid=feature-input][data-feature="${f.name}"]`);
    if (f.type !== 'numeric') continue;
    numeric++;
    const ids = (await input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    assert.ok(ids.length >= 1, `${f.name} has aria-describedby`);
    const texts = await Promise.all(ids.map((id) => page.evaluate((i) => document.getElementById(i)?.textContent ?? null, id)));
    assert.ok(texts.some((s) => s && s.includes(`${f.min} \u2013 ${f.max}`)), `${f.name}: ${JSON.stringify(texts)}`);
  }
  assert.ok(numeric > 0);
  assert.deepEqual(errors, []);
});
