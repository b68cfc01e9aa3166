// The record's input values as a table of what-if controls: a <select> of category names for a
// categorical feature (option value = the category's code), a number input bounded by the
// training range for a numeric one. Values from the CSV are text, never markup. Names carry
// the schema's descriptions and values its units (web/labels.js).
import { featureName, withUnit } from './labels.js';

export const MISSING = '(missing)';

// The shortest decimal that reads back as the same float32 (an edit is stored as the engine
// encoded it: 0.45, not 0.44999998807907104).
function float32Text(v) {
  for (let p = 1; p <= 9; p++) {
    const t = Number(v.toPrecision(p));
    if (Math.fround(t) === v) return String(t);
  }
  return String(v);
}

// The human text of feature i: the what-if edit if there is one, else the record's raw cell.
export function displayValue(schema, rec, edits, i) {
  if (!(i in edits)) return rec.values[i] === '' ? MISSING : rec.values[i];
  const v = edits[i];
  if (Number.isNaN(v)) return MISSING;
  const col = schema.features[i];
  return col.type === 'categorical' ? col.categories[v] ?? String(v) : float32Text(v);
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

// Reads a control: { value } (the encoded value), { pending: true } while a number is half
// typed ("-", "1e"), or { invalid: reason } for a number the model cannot take. A number field's
// text is encoded by the engine (encodeText), the same rule as for a CSV cell; a category's
// option value is its code.
export function readControl(control, encodeText) {
  if (control.tagName === 'SELECT') return { value: control.value === '' ? NaN : Number(control.value) };
  if (control.validity.badInput) return { pending: true };
  const encoded = encodeText(control.value);
  return encoded.error ? { invalid: encoded.error } : { value: encoded.value };
}

// Shows (or clears, with null) why a field's value was not scored, in the field's row.
export function markInvalid(tr, reason) {
  tr.classList.toggle('invalid', Boolean(reason));
  const control = tr.querySelector('[data-testid=feature-input]');
  control.toggleAttribute('aria-invalid', Boolean(reason));
  let note = tr.querySelector('[data-testid=value-error]');
  if (!reason) {
    note?.remove();
    return;
  }
  if (!note) {
    note = document.createElement('div');
    note.className = 'value-error';
    note.dataset.testid = 'value-error';
    note.setAttribute('role', 'alert');
    control.parentElement.append(note);
  }
  note.textContent = `Out of range, not scored (the score is for the last value that was): ${reason}`;
  tr.title = note.textContent;
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
      const shown = !(i in edits) && raw !== '' && Number.isFinite(Number(raw)) ? raw : float32Text(value);
      control.value = Number.isNaN(value) ? '' : shown;
      control.placeholder = MISSING;
      if (col.unit) {
        const unit = document.createElement('span');
        unit.className = 'unit';
        unit.dataset.testid = 'unit';
        unit.textContent = col.unit;
        const box = document.createElement('span');
        box.className = 'with-unit';
        box.append(control, unit);
        cell.append(box);
      } else {
        cell.append(control);
      }
      const range = document.createElement('span');
      range.className = 'range';
      range.id = `range-${i}`;
      const what = document.createElement('span');
      what.className = 'visually-hidden';
      what.textContent = 'training range ';
      range.append(what, `${col.min} \u2013 ${col.max}`);
      range.title = 'training range';
      control.setAttribute('aria-describedby', range.id);
      cell.append(range);
    }
    control.dataset.testid = 'feature-input';
    control.dataset.feature = col.name;
    control.setAttribute('aria-label', col.name);
    control.addEventListener('input', () => onEdit(i, control));
    const name = td(undefined, 'name');
    name.append(featureName(col));
    tr.append(name, cell, td(rec.values[i] === '' ? MISSING : withUnit(col, rec.values[i]), 'orig'));
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
