// Which bars the waterfall draws and where they sit: the top k features by |SHAP| plus every
// edited feature (an edit never disappears into "other features"), the rest folded into one
// bar, placed cumulatively from E[f(X)] at the bottom up to f(x) at the top. Numbers only.

// The features drawn as their own bars (largest |SHAP| first) and the folded rest.
export function chooseRows(phi, topK, edited = []) {
  const pinned = new Set(edited.map(Number));
  const order = phi.map((v, i) => i).sort((a, b) => Math.abs(phi[b]) - Math.abs(phi[a]));
  const k = Math.min(topK, order.length);
  const keep = (i, rank) => rank < k || pinned.has(i);
  return { shown: order.filter(keep), rest: order.filter((i, rank) => !keep(i, rank)), pinned };
}

// The rows top to bottom, each { label, value, start, end, feature | other, edited }, for the
// SHAP values phi over the features chosen by chooseRows (the same rows for a ghost of the
// original record, so each ghost bar sits on its feature's row).
export function placeRows(spec, phi, { shown, rest, pinned }) {
  const rows = shown.map((i) => ({ label: `${spec.names[i]} = ${spec.values[i]}`, value: phi[i],
    feature: spec.names[i], edited: pinned.has(i) }));
  if (rest.length) {
    rows.push({ label: `${rest.length} other feature${rest.length > 1 ? 's' : ''}`, other: true,
      value: rest.reduce((sum, i) => sum + phi[i], 0) });
  }
  let x = spec.expected;
  const bottomUp = [...rows].reverse().map((r) => {
    const start = x;
    x += r.value;
    return { ...r, start, end: x };
  });
  return bottomUp.reverse();
}
