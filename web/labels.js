// What a person reads beside the model's names: a class's display name (">50K: income over $50K
// a year"), a value's unit ("39 years") and a feature's description. All of it comes from the
// schema in its canonical form (written by shared/schema's one reader: `verdict schema` in
// scripts/build-web, or engine.schema()), where every field is present: nothing here interprets schema versions or fills in defaults. Text
// only, never markup.

// The display name of a target label (the label itself for a label the schema does not know).
export function className(schema, label) {
  return schema.target.class_names?.[label] ?? label;
}

// A number with its feature's unit: "39 years"; anything else (missing, text) as it is.
export function withUnit(col, text) {
  return col.unit && text.trim() !== '' && Number.isFinite(Number(text)) ? `${text} ${col.unit}` : text;
}

// A feature's name for the record table: with a description, an <abbr> whose title is the
// description and a small line under it (what a touch screen or a screen reader gets).
export function featureName(col) {
  const box = document.createElement('span');
  box.className = 'fname';
  if (!col.description) {
    box.textContent = col.name;
    return box;
  }
  const abbr = document.createElement('abbr');
  abbr.title = col.description;
  abbr.textContent = col.name;
  const line = document.createElement('span');
  line.className = 'fdesc';
  line.dataset.testid = 'feature-description';
  line.textContent = col.description;
  box.append(abbr, line);
  // The line shows as much as fits; a tap or click shows it all (touch screens have no title).
  box.addEventListener('click', () => box.classList.toggle('open'));
  return box;
}

// Adds each bar's feature description (and the value's unit) to the bar's <title> in the SHAP
// waterfall, after every redraw. The waterfall stays a drawing of numbers (web/waterfall.js);
// this watches it and adds the words, so neither needs the other.
export function describeWaterfall(svg, schemaOf) {
  const annotate = () => {
    const schema = schemaOf();
    if (!schema) return;
    for (const g of svg.querySelectorAll('g[data-testid=shap-bar]')) {
      const title = g.querySelector('title');
      if (!title || title.dataset.described) continue;
      const col = schema.features.find((f) => f.name === g.dataset.feature);
      if (!col?.description && !col?.unit) continue;
      title.dataset.described = '1';
      // "Age = 39: +0.412 log-odds" -> "Age = 39 years: +0.412 log-odds" (numbers only).
      const head = `${col.name} = `, text = title.textContent, end = text.indexOf(': ', head.length);
      const value = text.slice(head.length, end);
      if (col.unit && text.startsWith(head) && end > 0 && value.trim() !== '' && Number.isFinite(Number(value))) {
        title.textContent = `${head}${value} ${col.unit}${text.slice(end)}`;
      }
      if (col.description) title.textContent += `\n${col.name}: ${col.description}`;
    }
  };
  new MutationObserver(annotate).observe(svg, { childList: true });
  annotate();
}
