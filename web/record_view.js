// The record's input values as a table of what-if controls: a <select> of category names for a
// categorical feature (option value = the category's code), a number input bounded by the
// training range for a numeric one. Values from the CSV are text, never markup.
export const MISSING = '(missing)';

// The human text of feature i: the what-if edit if there is one, else the record's raw cell.
export function displayValue(schema, rec, edits, i) {
  if (!(i in edits)) return rec.values[i] === '' ? MISSING : rec.values[i];
  const v = edits[i];
  if (Number.isNaN(v)) return MISSING;
  const col = schema.features[i];
  return col.type === 'categorical' ? col.categories[v] ?? String(v) : String(v);
}

function td(text, className) {
  const cell = document.createElement('td');
  if (text !== undefined) cell.textContent = text;
  if (className) cell.className = className;
  return cell;
}

function outsideRange(col, v) {
  return Number.isFinite(v) && ((Number.isFinite(col.min) && v < col.min) || (Number.isFinite(col.max) && v > col.max));
}

// Parses a control into an encoded value; undefined while a number is half typed ("-", "1e").
export function readControl(control) {
  if (control.tagName === 'SELECT') return control.value === '' ? NaN : Number(control.value);
  if (control.validity.badInput) return undefined;
  return control.value === '' ? NaN : Number(control.value);
}

// Builds the table body. onEdit(i, control) is called on every `input` event.
export function renderFeatureTable(tbody, schema, rec, edits, onEdit) {
  tbody.replaceChildren();
  schema.features.forEach((col, i) => {
    const value = i in edits ? edits[i] : rec.encoded[i];
    const tr = document.createElement('tr');
    tr.dataset.feature = col.name;
    const cell = td();
    let control;
    if (col.type === 'categorical') {
      control = document.createElement('select');
      col.categories.forEach((c, code) => control.append(new Option(c, String(code))));
      // Missing goes last, so a category's option index stays its code.
      if (Number.isNaN(rec.encoded[i]) || Number.isNaN(value)) control.append(new Option(MISSING, ''));
      control.value = Number.isNaN(value) ? '' : String(value);
      cell.append(control);
    } else {
      control = document.createElement('input');
      control.type = 'number';
      control.step = 'any';
      if (Number.isFinite(col.min)) control.min = String(col.min);
      if (Number.isFinite(col.max)) control.max = String(col.max);
      // Unedited: the value as the data has it ("0.53"), not its float32 encoding (0.52999997).
      const raw = rec.values[i];
      const shown = !(i in edits) && raw !== '' && Number.isFinite(Number(raw)) ? raw : String(value);
      control.value = Number.isNaN(value) ? '' : shown;
      control.placeholder = MISSING;
      const range = document.createElement('span');
      range.className = 'range';
      range.textContent = `${col.min} \u2013 ${col.max}`;
      range.title = 'training range';
      cell.append(control, range);
    }
    control.dataset.testid = 'feature-input';
    control.dataset.feature = col.name;
    control.setAttribute('aria-label', col.name);
    control.addEventListener('input', () => onEdit(i, control));
    tr.append(td(col.name, 'name'), cell, td(rec.values[i] === '' ? MISSING : rec.values[i], 'orig'));
    tbody.append(tr);
    markRow(tr, schema, i, i in edits, value);
  });
}

// Marks a row as edited (and a numeric value outside the training range).
export function markRow(tr, schema, i, edited, value) {
  const col = schema.features[i];
  tr.classList.toggle('edited', edited);
  const out = col.type !== 'categorical' && outsideRange(col, value);
  tr.classList.toggle('outside', out);
  tr.title = out ? `outside the training range (${col.min} to ${col.max})` : '';
}
