// The waterfall's axis: a domain that stays put while a record is edited (it widens only when
// a value leaves it and starts afresh for another record), round log-odds ticks, a row of
// round probabilities under them, and where a label goes so it stays inside the picture.
import { logit } from './threshold.js';

// The axis domain for one drawing: the points' extent and a tenth more on each side, for the
// edits to come. state (kept per svg) holds the last { key, lo, hi }: the same key (record)
// keeps it, widened (by a tenth again) only on the side where a point falls outside.
export function domainFor(state, key, points) {
  let lo = Math.min(...points), hi = Math.max(...points);
  if (key !== undefined && state.key === key && Number.isFinite(state.lo)) {
    const pad = 0.1 * (Math.max(hi, state.hi) - Math.min(lo, state.lo));
    lo = lo < state.lo ? lo - pad : state.lo;
    hi = hi > state.hi ? hi + pad : state.hi;
  } else {
    const pad = Math.max(0.1 * (hi - lo), 0.25);
    lo -= pad;
    hi += pad;
  }
  Object.assign(state, { key, lo, hi });
  return { lo, hi };
}

// Round ticks (1, 2 or 5 times a power of ten) between v0 and v1, about `count` of them.
export function roundTicks(v0, v1, count = 6) {
  const raw = (v1 - v0) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks = [];
  for (let i = Math.ceil(v0 / step); i * step <= v1 + 1e-12; i++) ticks.push({ value: i * step, text: (i * step).toFixed(decimals) });
  return ticks;
}

// About how wide a text is at 12 px (bold a little wider).
export const textWidth = (text, bold = false) => Math.ceil(String(text).length * (bold ? 7.3 : 6.7));

// The left x of a label of width w centred on x, kept within [minX, maxX].
export const labelStart = (x, w, minX, maxX) => Math.max(minX, Math.min(x - w / 2, maxX - w));

const ROUND = [0.5, 0.25, 0.75, 0.1, 0.9, 0.05, 0.95, 0.01, 0.99, 0.001, 0.999];

// Round probabilities that fall inside [lo, hi] on the log-odds axis, most central first, none
// whose label would touch another's or a box in `taken` ([left, right] pairs, e.g. the
// threshold's label). Returns [{ p, x, left, right }].
export function probabilityTicks(sx, lo, hi, taken = [], skip = []) {
  const boxes = [...taken];
  const out = [];
  for (const p of ROUND) {
    const v = logit(p);
    if (v < lo || v > hi || skip.includes(p)) continue;
    const x = sx(v), w = textWidth(p);
    const [left, right] = [x - w / 2 - 5, x + w / 2 + 5];
    if (boxes.some(([l, r]) => left < r && right > l)) continue;
    boxes.push([left, right]);
    out.push({ p, x });
  }
  return out.sort((a, b) => a.x - b.x);
}
