// The review page: loads the model into the WebAssembly engine, walks the reviewer through
// tasks of flagged records, redraws score and waterfall on every what-if edit, and keeps
// verdicts (in the browser, or through `verdict serve` when the page is served by it).
import { loadEngine } from './engine.js';
import { drawWaterfall } from './waterfall.js';
import { LocalVerdicts } from './store.js';
import { ReviewServer } from './server.js';

const $ = (id) => document.getElementById(id);
const S = {
  config: null, schema: null, engine: null, tasks: [], t: 0, r: 0, topK: 3,
  edits: {},       // row -> { featureIndex: encoded value }
  local: null,     // LocalVerdicts (static hosting)
  server: null,    // ReviewServer (served by verdict serve)
  pending: null,   // server mode: { loop, answerId, answers: { row: answer } }
  result: null,    // the engine's output for the record on screen
  drawn: false,
};

function banner(message, kind = 'error') {
  const b = $('banner');
  b.textContent = message;
  b.className = `banner ${kind === 'info' ? 'info' : ''}`;
  b.hidden = !message;
}

async function fetchText(path) {
  const r = await fetch(path, { cache: 'no-store' });
  if (!r.ok) throw new Error(`could not load ${path} (HTTP ${r.status})`);
  return r.text();
}

const isBinary = () => S.schema.task === 'binary';
const positive = () => S.schema.target.positive_label;
const negative = () => S.schema.target.labels.find((l) => l !== positive());
const predictedLabel = (p) => (p >= (S.threshold ?? 0.5) ? positive() : negative());

function normalize(raw, features) {
  return {
    row: raw.row,
    values: Array.isArray(raw.values) ? raw.values.map(String) : features.map((f) => String(raw.values[f] ?? '')),
    encoded: raw.encoded.map((v) => (v === null ? NaN : v)),
    prediction: raw.prediction,
    predicted_label: raw.predicted_label,
    input: raw,
  };
}

const task = () => S.tasks[S.t];
const record = () => task().records[S.r];
const answered = (rec) => (S.local ? S.local.answer(rec.row) : S.pending?.answers[rec.row]);

function currentEncoded(rec = record()) {
  const row = Float32Array.from(rec.encoded);
  for (const [i, v] of Object.entries(S.edits[rec.row] || {})) row[i] = v;
  return row;
}

function displayValue(rec, i) {
  const edits = S.edits[rec.row] || {};
  if (!(i in edits)) return rec.values[i] === '' ? '(missing)' : rec.values[i];
  const v = edits[i];
  if (Number.isNaN(v)) return '(missing)';
  const col = S.schema.features[i];
  return col.type === 'categorical' ? col.categories[v] : String(v);
}

// ---- drawing ----

function renderScore() {
  const rec = record();
  const res = S.engine.explain(currentEncoded(rec));
  S.result = res;
  const prob = $('probability');
  prob.textContent = isBinary() ? res.prediction.toFixed(4) : res.prediction.toFixed(3);
  prob.dataset.value = String(res.prediction);
  $('predicted').textContent = isBinary() ? predictedLabel(res.prediction) : res.prediction.toFixed(2);
  const edited = Object.keys(S.edits[rec.row] || {}).length > 0;
  $('edited-badge').hidden = !edited;
  drawWaterfall($('waterfall'), {
    names: S.schema.features.map((f) => f.name),
    values: S.schema.features.map((f, i) => displayValue(rec, i)),
    phi: Array.from(res.phi), expected: S.engine.expectedValue, fx: res.margin,
    prediction: res.prediction, link: S.engine.link,
    topK: S.topK === 'all' ? res.phi.length : S.topK,
  });
  if (!S.drawn) {
    S.drawn = true;
    performance.mark('waterfall-drawn');
    window.verdictReady = true;
  }
}

function featureControl(rec, i) {
  const col = S.schema.features[i];
  const value = currentEncoded(rec)[i];
  let control;
  if (col.type === 'categorical') {
    control = document.createElement('select');
    if (Number.isNaN(value)) control.append(new Option('(missing)', ''));
    col.categories.forEach((c, code) => control.append(new Option(c, String(code))));
    control.value = Number.isNaN(value) ? '' : String(value);
  } else {
    control = document.createElement('input');
    control.type = 'number';
    control.step = 'any';
    if (Number.isFinite(col.min)) control.min = String(col.min);
    if (Number.isFinite(col.max)) control.max = String(col.max);
    control.title = `training range ${col.min} to ${col.max}`;
    control.value = Number.isNaN(value) ? '' : String(value);
  }
  control.dataset.testid = 'feature-input';
  control.dataset.feature = col.name;
  control.addEventListener('input', () => onEdit(rec, i, control));
  return control;
}

function onEdit(rec, i, control) {
  const v = control.value === '' ? NaN : Number(control.value);
  const original = rec.encoded[i];
  const edits = (S.edits[rec.row] ||= {});
  const same = Number.isNaN(v) ? Number.isNaN(original) : Math.fround(v) === original;
  if (same) delete edits[i]; else edits[i] = v;
  control.closest('tr').classList.toggle('edited', !same);
  try {
    renderScore();
  } catch (e) {
    banner(`Could not score this record: ${e.message}`);
  }
}

function renderRecord() {
  const rec = record();
  $('task-pos').textContent = `${S.t + 1} of ${S.tasks.length}` + (S.server ? ` (${task().name})` : '');
  $('record-pos').textContent = `${S.r + 1} of ${task().records.length}`;
  $('row-id').textContent = String(rec.row);
  const body = $('features');
  body.replaceChildren();
  S.schema.features.forEach((col, i) => {
    const tr = document.createElement('tr');
    if (i in (S.edits[rec.row] || {})) tr.classList.add('edited');
    const name = document.createElement('td');
    name.textContent = col.name;
    const input = document.createElement('td');
    input.append(featureControl(rec, i));
    const orig = document.createElement('td');
    orig.className = 'orig';
    orig.textContent = rec.values[i] === '' ? '(missing)' : rec.values[i];
    tr.append(name, input, orig);
    body.append(tr);
  });
  renderScore();
  fillForm(rec);
  renderProgress();
}

function fillForm(rec) {
  const a = answered(rec);
  $('done-badge').hidden = !a;
  for (const radio of document.querySelectorAll('input[name=verdict]')) radio.checked = a ? radio.value === a.verdict : false;
  $('label').value = a ? a.label : (isBinary() ? predictedLabel(S.result.prediction) : S.result.prediction.toFixed(2));
  $('reason').value = a ? a.reason : '';
  $('comment').value = a ? a.comment : '';
  $('reason').classList.remove('invalid');
  formMessage('');
}

function renderProgress() {
  if (S.local) {
    const all = S.tasks.flatMap((t) => t.records);
    $('progress').textContent = `${all.filter((r) => S.local.answer(r.row)).length} of ${all.length} records reviewed`;
  } else if (S.pending) {
    $('progress').textContent = `${Object.keys(S.pending.answers).length} of ${task().records.length} answered in this task`;
  }
}

function formMessage(text, error = false) {
  const m = $('form-message');
  m.textContent = text;
  m.className = `form-message${error ? ' error' : ''}`;
}

// ---- navigation and verdicts ----

function show(t, r) {
  if (t !== S.t || !S.drawn) window.scrollTo(0, 0);
  S.t = t;
  S.r = r;
  if (S.local) S.local.accept(t);
  renderRecord();
}

function move(step) {
  const n = task().records.length;
  const r = S.r + step;
  if (r >= 0 && r < n) return show(S.t, r);
  if (S.local) {
    const t = S.t + step;
    if (t >= 0 && t < S.tasks.length) show(t, step > 0 ? 0 : S.tasks[t].records.length - 1);
  }
}

function firstOpen() {
  for (let t = 0; t < S.tasks.length; t++) {
    const r = S.tasks[t].records.findIndex((rec) => !answered(rec));
    if (r >= 0) return [t, r];
  }
  return null;
}

function setVerdict(v) {
  const radio = document.querySelector(`input[name=verdict][value=${v}]`);
  radio.checked = true;
  if (isBinary()) {
    const model = predictedLabel(S.result.prediction);
    $('label').value = v === 'agree' ? model : (model === positive() ? negative() : positive());
  }
  if (v === 'disagree') $('reason').focus();
}

function cycleLabel() {
  const sel = $('label');
  if (sel.tagName !== 'SELECT') return sel.focus();
  sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
}

async function submit() {
  const rec = record();
  const verdict = document.querySelector('input[name=verdict]:checked')?.value;
  if (!verdict) return formMessage('Choose agree (a) or disagree (d) first.', true);
  const reason = $('reason').value.trim();
  if (verdict === 'disagree' && !reason) {
    $('reason').classList.add('invalid');
    $('reason').focus();
    return formMessage('A reason is required when you disagree.', true);
  }
  const edits = S.edits[rec.row] || {};
  const answer = {
    row: rec.row, verdict, label: $('label').value, reason, comment: $('comment').value.trim(),
    model_label: rec.predicted_label, model_prediction: rec.prediction,
    edited_values: Object.fromEntries(Object.keys(edits).map((i) => [S.schema.features[i].name, displayValue(rec, Number(i))])),
    prediction_after_edit: Object.keys(edits).length ? S.result.prediction : null,
  };
  if (S.local) {
    S.local.record(rec.row, answer);
    formMessage('Saved.');
    const next = firstOpen();
    if (next) return show(...next);
    renderRecord();
    return banner('Every record is reviewed. Export your verdicts with the button at the top.', 'info');
  }
  S.pending.answers[rec.row] = answer;
  savePending();
  const open = task().records.findIndex((r) => !S.pending.answers[r.row]);
  if (open >= 0) return show(S.t, open);
  await sendTask();
}

// ---- server mode ----

function savePending() { localStorage.setItem(`verdict:pending:${S.pending.loop}`, JSON.stringify(S.pending)); }

async function sendTask() {
  const p = S.pending;
  const records = task().records.map((r) => p.answers[r.row]);
  const seconds = (Date.now() - Date.parse(task().accepted)) / 1000;
  try {
    await S.server.answer(p.loop, p.answerId, { records }, seconds);
  } catch (e) {
    return banner(`Your answers are kept here but were not accepted yet: ${e.message}. Submit again to retry.`);
  }
  localStorage.removeItem(`verdict:pending:${p.loop}`);
  banner('Task submitted. Loading the next one.', 'info');
  await loadServerTask();
}

async function loadServerTask() {
  const t = await S.server.nextTask();
  if (!t) {
    $('main').hidden = true;
    return banner('No task is waiting for you. Come back later.', 'info');
  }
  const input = t.input_content;
  S.threshold = input.threshold ?? 0.5;
  S.tasks = [{ name: t.loop, accepted: t.accepted, records: input.records.map((r) => normalize(r, input.features)) }];
  S.pending = JSON.parse(localStorage.getItem(`verdict:pending:${t.loop}`) || 'null') ||
    { loop: t.loop, answerId: crypto.randomUUID(), answers: {} };
  $('title').textContent = t.flow.title || t.flow.name;
  $('instructions').textContent = t.flow.instructions || '';
  $('main').hidden = false;
  window.scrollTo(0, 0);
  const open = S.tasks[0].records.findIndex((r) => !S.pending.answers[r.row]);
  show(0, Math.max(0, open));
  if (!$('banner').classList.contains('info')) banner('');
}

async function startServerMode() {
  $('mode').textContent = 'review service';
  $('export').hidden = true;
  const token = localStorage.getItem('verdict:token');
  if (token) {
    S.server = new ReviewServer(token);
    try {
      const me = await S.server.me();
      $('mode').textContent = `review service · ${me.name}`;
      return loadServerTask();
    } catch {
      localStorage.removeItem('verdict:token');
    }
  }
  $('login').hidden = false;
  $('token').focus();
  $('login').onsubmit = (e) => {
    e.preventDefault();
    localStorage.setItem('verdict:token', $('token').value.trim());
    $('login').hidden = true;
    startServerMode().catch((err) => banner(err.message));
  };
}

// ---- static mode ----

async function startStaticMode() {
  $('mode').textContent = 'local (verdicts stay in this browser)';
  const batch = JSON.parse(await fetchText('data/review_batch.json'));
  S.threshold = batch.threshold ?? 0.5;
  const records = batch.records.map((r) => normalize(r, batch.features));
  const per = S.config.records_per_task || 3;
  for (let i = 0; i < records.length; i += per) {
    S.tasks.push({ name: `${S.config.flow}-task-${S.tasks.length + 1}`, records: records.slice(i, i + per) });
  }
  if (!S.tasks.length) throw new Error('the review batch holds no records');
  S.local = new LocalVerdicts(`verdict:${S.config.flow}:${batch.source}`);
  window.verdictExport = () => S.local.exportA2I(S.tasks, S.config);
  $('main').hidden = false;
  const next = firstOpen();
  show(...(next || [0, 0]));
  if (!next) banner('Every record is reviewed. Export your verdicts with the button at the top.', 'info');
}

function exportFile() {
  const blob = new Blob([JSON.stringify(window.verdictExport(), null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'verdicts.json';
  a.click();
  URL.revokeObjectURL(a.href);
}

function onKey(e) {
  if ($('main').hidden) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
    e.preventDefault();
    return submit();
  }
  const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.target.tagName) && e.target.type !== 'radio';
  if (typing) {
    if (e.key === 'Escape') e.target.blur();
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const actions = {
    a: () => setVerdict('agree'), d: () => setVerdict('disagree'), l: cycleLabel,
    j: () => move(1), ArrowRight: () => move(1), k: () => move(-1), ArrowLeft: () => move(-1),
    s: submit, r: () => { delete S.edits[record().row]; renderRecord(); },
    e: () => document.querySelector('[data-testid=feature-input]')?.focus(),
  };
  if (actions[e.key]) {
    e.preventDefault();
    actions[e.key]();
  }
}

async function main() {
  try {
    const [config, model, schema] = await Promise.all([
      fetchText('data/config.json').then(JSON.parse).catch(() => ({})),
      fetchText('data/model.json'), fetchText('data/schema.json')]);
    S.config = { records_per_task: 3, top_k: 3, worker_id: 'local-reviewer', flow: 'review', ...config };
    S.schema = JSON.parse(schema);
    S.topK = S.config.top_k;
    $('topk').value = String(S.topK);
    if (S.config.title) $('title').textContent = S.config.title;
    S.engine = await loadEngine(model, schema);
    if (isBinary()) {
      for (const l of S.schema.target.labels) $('label').append(new Option(l, l));
    } else {
      const input = document.createElement('input');
      input.id = 'label';
      input.type = 'number';
      input.step = 'any';
      input.dataset.testid = 'label';
      $('label').replaceWith(input);
      $('score-label').textContent = 'Prediction';
    }
    $('topk').addEventListener('change', () => {
      S.topK = $('topk').value === 'all' ? 'all' : Number($('topk').value);
      renderScore();
    });
    $('reset').addEventListener('click', () => { delete S.edits[record().row]; renderRecord(); });
    $('submit').addEventListener('click', submit);
    $('export').addEventListener('click', exportFile);
    for (const radio of document.querySelectorAll('input[name=verdict]')) {
      radio.addEventListener('change', () => setVerdict(radio.value));
    }
    document.addEventListener('keydown', onKey);
    if (await ReviewServer.available()) await startServerMode();
    else await startStaticMode();
  } catch (e) {
    banner(`The review page could not start: ${e.message}`);
  }
}

main();
