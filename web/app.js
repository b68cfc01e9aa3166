// The review page: loads the model into the WebAssembly engine, walks the reviewer through
// tasks of flagged records, redraws score and waterfall on every what-if edit, and keeps
// verdicts (in the browser, or through `verdict serve` when the page is served by it).
// No model logic here: every score and SHAP value comes from engine.explain.
import { loadEngine, startModule } from './engine.js';
import { readManifest, fetchText, fetchBytes, fetchJson, parseJson } from './assets.js';
import { drawWaterfall } from './waterfall.js';
import { LocalVerdicts } from './store.js';
import { ReviewServer } from './server.js';
import { displayValue, renderFeatureTable, readControl, markRow, markInvalid } from './record_view.js';
import { isPositive, distanceWords, announcement } from './threshold.js';
import { topClass, topClassesText, runnerUp } from './classes.js';
import { announcer } from './announce.js';
import { className, describeWaterfall } from './labels.js';
import { EditHistory } from './undo.js';
import { Drafts } from './drafts.js';
import { Session, showProgress } from './summary.js';
import { Hotkeys } from './hotkeys.js';
import { FlipPanel } from './flip_panel.js';
import { Panels } from './panels.js';

const $ = (id) => document.getElementById(id);
const S = {
  config: null, schema: null, engine: null, tasks: [], t: 0, r: 0, topK: 10,
  edits: {},       // row -> { featureIndex: encoded value }
  local: null,     // LocalVerdicts (static hosting)
  server: null,    // ReviewServer (served by verdict serve)
  reviewer: null,  // server mode: the signed-in reviewer's name
  pending: null,   // server mode: { loop, answerId, answers: { row: answer } }
  result: null,    // the engine's output for the record on screen
  drawn: false,
  firstDrawn: null,  // resolves firstWaterfall
  manifest: null,    // index.html's: config and the hashed file names
  methods: null,     // the batch's SHAP methods (expected values)
  link: null,        // the model's link: from the batch, then the engine
  early: null,       // server mode: the first calls, started with the page (startCalls)
  whole: null,       // the whole batch, fetched once (static: after the first waterfall; the panels)
  lastEdited: null,  // the feature edited last (the feature curve shows it unless one was chosen)
};
const wholeBatch = () => (S.whole ??= fetchJson(S.manifest.assets.batch));
const firstWaterfall = new Promise((resolve) => { S.firstDrawn = resolve; });
const editHistory = new EditHistory();  // undo of what-if edits, per record
const session = new Session();      // answers given since the page opened
const keys = new Hotkeys();         // the reviewer's shortcuts
let drafts = null;                  // server mode: the task's answers kept until it is sent
let panels = null;                  // feature curve, similar records, group context (web/panels.js)

// A message above the page. A passing one (fade) goes after a few seconds or at the
// reviewer's next key press or click, whichever comes first.
let bannerTimer = 0;
function banner(message, kind = 'error', { fade = false } = {}) {
  const b = $('banner');
  clearTimeout(bannerTimer);
  b.textContent = message;
  b.className = `banner${kind === 'info' ? ' info' : ''}`;
  b.hidden = !message;
  b.dataset.fade = fade && message ? '1' : '';
  if (b.dataset.fade) bannerTimer = setTimeout(() => banner(''), 5000);
}
const dismissPassing = () => { if ($('banner').dataset.fade) banner(''); };


const isBinary = () => S.schema.task === 'binary';
// A multi-class model: K classes (schema labels, in class order), a probability and a SHAP
// waterfall each; the page shows the class S.shapClass picks (null: the predicted one).
const isMulticlass = () => S.schema.task === 'multiclass';
const classLabel = (k) => S.schema.target.labels[k];
const classNameOf = (k) => className(S.schema, classLabel(k));
const positive = () => S.schema.target.positive_label;
const negative = () => S.schema.target.labels.find((l) => l !== positive());
const predictedLabel = (p) => (isPositive(p, S.threshold ?? 0.5) ? positive() : negative());
// The model's own answer for a record (before any what-if edit): what "agree" stores.
const modelLabel = (rec) => (isMulticlass() ? rec.predicted_label ?? classLabel(topClass(rec.probabilities))
  : isBinary() ? rec.predicted_label ?? predictedLabel(rec.prediction) : rec.prediction.toFixed(2));
const sameLabel = (a, b) => (isBinary() || isMulticlass() ? a === b : Number(a) === Number(b));
const outcomeText = (p) => (isBinary() ? className(S.schema, predictedLabel(p)) : fmtPrediction(p));
const fmtPrediction = (p) => (Math.abs(p) >= 1000 ? p.toFixed(0) : p.toPrecision(4));

function normalize(raw, features) {
  return {
    row: raw.row,
    values: Array.isArray(raw.values) ? raw.values.map((v) => (v === null ? '' : String(v)))
      : features.map((f) => String(raw.values[f] ?? '')),
    encoded: raw.encoded.map((v) => (v === null ? NaN : v)),
    prediction: raw.prediction,
    margin: raw.margin,
    margins: raw.margins,              // multi-class: every class's margin and probability
    probabilities: raw.probabilities,
    shap: raw.shap,
    predicted_label: raw.predicted_label,
    input: raw,
  };
}

const task = () => S.tasks[S.t];
const record = () => task().records[S.r];
const editsOf = (rec) => S.edits[rec.row] || {};
const answered = (rec) => (S.local ? S.local.answer(rec.row) : S.pending?.answers[rec.row]);

function currentEncoded(rec = record()) {
  const row = Float32Array.from(rec.encoded);
  for (const [i, v] of Object.entries(editsOf(rec))) row[i] = v;
  return row;
}

// ---- drawing ----

// The batch's own score and SHAP values of a record (explain --shap tree wrote them with the
// same core: the numbers the engine gives), or null when the batch has none.
function snapshotOf(rec) {
  const phi = rec.shap?.tree, expected = S.methods?.tree?.expected_value;
  if (isMulticlass()) {
    if (!Array.isArray(phi) || !Array.isArray(expected) || !Array.isArray(rec.margins)) return null;
    return shownClass({ margins: rec.margins, probabilities: rec.probabilities, phi: phi.map((p) => Float64Array.from(p)) },
      expected);
  }
  if (!Array.isArray(phi) || typeof expected !== 'number' || typeof rec.margin !== 'number') return null;
  return { margin: rec.margin, prediction: rec.prediction, phi: Float64Array.from(phi), expected };
}

// Every class's result narrowed to the class on show (its margin, probability, SHAP values and
// expected value), with the top class and all probabilities kept beside it.
function shownClass(all, expected) {
  const top = topClass(all.probabilities);
  const k = S.shapClass ?? top;
  return { margin: all.margins[k], prediction: all.probabilities[k], phi: all.phi[k], expected: expected[k],
    probabilities: Array.from(all.probabilities), top, shown: k };
}

// The record's score and SHAP values: from the engine, or until it has loaded, the batch's own
// for an unedited record.
function explainRecord(rec) {
  if (S.engine && isMulticlass()) return shownClass(S.engine.explainClasses(currentEncoded(rec)), S.engine.expectedValues);
  if (S.engine) return { ...S.engine.explain(currentEncoded(rec)), expected: S.engine.expectedValue };
  return snapshotOf(rec);
}

// The record's own score and SHAP values, before any edit (the waterfall's ghost).
const originals = new WeakMap();
function originalOf(rec) {
  if (!originals.has(rec)) {
    const own = snapshotOf(rec) ?? (S.engine && !isMulticlass() ? S.engine.explain(Float32Array.from(rec.encoded)) : null);
    if (!own) return null;
    originals.set(rec, own);
  }
  return originals.get(rec);
}
const say = announcer(document.getElementById('score-live'));
const announceScore = (p) => say(isMulticlass()
  ? `Model predicts ${classNameOf(S.result.top)}: ${topClassesText(S.result.probabilities, classNameOf)}`
  : isBinary() ? announcement(p, S.threshold ?? 0.5, outcomeText(p))
    : `Predicted ${S.schema.target.name} ${fmtPrediction(p)}`);

function renderScore() {
  const rec = record();
  const res = explainRecord(rec);
  if (!res) return;  // the batch has no tree SHAP values: the engine draws it once loaded
  S.result = res;
  setUnits();
  const prob = $('probability');
  const edited = Object.keys(editsOf(rec)).length > 0;
  $('edited-badge').hidden = !edited;
  if (isMulticlass()) {
    prob.textContent = res.probabilities[res.top].toFixed(4);
    prob.dataset.value = String(res.probabilities[res.top]);
    $('threshold-distance').textContent = topClassesText(res.probabilities, classNameOf);
    $('predicted').textContent = classNameOf(res.top);
    $('predicted').dataset.label = classLabel(res.top);
    $('was').textContent = edited ? `original: ${className(S.schema, modelLabel(rec))}` : '';
    $('shap-class').value = String(res.shown);
    $('shap-class').dataset.predicted = String(res.top);
  } else {
    prob.textContent = isBinary() ? res.prediction.toFixed(4) : fmtPrediction(res.prediction);
    prob.dataset.value = String(res.prediction);
    $('threshold-distance').textContent = isBinary() ? distanceWords(res.prediction, S.threshold ?? 0.5) : '';
    $('predicted').textContent = outcomeText(res.prediction);
    $('predicted').dataset.label = isBinary() ? predictedLabel(res.prediction) : '';  // the raw label
    $('was').textContent = edited ? `original: ${outcomeText(rec.prediction)}` +
      (isBinary() ? `, ${rec.prediction.toFixed(4)}` : '') : '';
  }
  drawWaterfall($('waterfall'), {
    names: S.schema.features.map((f) => f.name),
    values: S.schema.features.map((f, i) => displayValue(S.schema, rec, editsOf(rec), i)),
    // A class's waterfall ends at its margin: its probability depends on every class's margin.
    phi: Array.from(res.phi), expected: res.expected, fx: res.margin,
    prediction: res.prediction, link: isMulticlass() ? 'identity' : S.link, units: $('units').textContent,
    topK: S.topK === 'all' ? res.phi.length : S.topK,
    edited: Object.keys(editsOf(rec)).map(Number), original: edited ? originalOf(rec) : null,
    threshold: isBinary() ? S.threshold ?? 0.5 : null, record: rec.row,
  });
  showFlips(rec);
  updatePanels(rec, res);
  if (!S.drawn) {
    S.drawn = true;
    performance.mark('waterfall-drawn');
    S.firstDrawn();
  }
  window.verdictReady = Boolean(S.engine);  // a record drawn, and what-if can begin
}

// The panels under the record, for the record as edited (once the engine is there).
function updatePanels(rec, res) {
  if (!panels || !S.engine) return;
  try {
    panels.update({
      schema: S.schema, engine: S.engine, rec: { ...rec, edits: editsOf(rec) }, encoded: currentEncoded(rec), result: res,
      focus: S.lastEdited,
      threshold: isBinary() ? S.threshold ?? 0.5 : null,
      display: (r, i) => displayValue(S.schema, r, editsOf(r), i),
      label: isBinary() ? (r) => {
        const raw = r.predicted_label ?? predictedLabel(r.prediction);
        return { text: raw, title: className(S.schema, raw) };
      } : null,
    });
  } catch (e) {
    banner(`The panels could not be drawn: ${e.message}`);
  }
}

function onEdit(i, control) {
  const rec = record();
  const read = readControl(control, (text) => S.engine.encodeCell(i, text));
  if (read.pending) return;  // a number still being typed: keep the last score
  const tr = control.closest('tr');
  markInvalid(tr, read.invalid || null);
  if (read.invalid) return;  // e.g. 1e39: shown as out of range, never scored
  const v = read.value;
  const original = rec.encoded[i];
  const edits = (S.edits[rec.row] ||= {});
  S.lastEdited = i;
  const same = Number.isNaN(v) ? Number.isNaN(original) : Math.fround(v) === original;
  const changes = same ? i in edits : !(i in edits) || !Object.is(edits[i], v);
  if (changes) editHistory.before(rec.row, edits, i);  // an undo step (keystrokes merge)
  if (same) delete edits[i]; else edits[i] = v;
  syncUndo();
  markRow(control.closest('tr'), S.schema, i, !same, v);
  try {
    renderScore();
    announceScore(S.result.prediction);
    if ($('banner').dataset.scoreError) banner('');
  } catch (e) {
    banner(`Could not score this record: ${e.message}`);
    $('banner').dataset.scoreError = '1';
  }
}

function renderChips() {
  const nav = $('task-records');
  nav.replaceChildren();
  task().records.forEach((rec, r) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    const done = Boolean(answered(rec));
    b.classList.toggle('done', done);
    b.classList.toggle('current', r === S.r);
    b.textContent = `${done ? '\u2713 ' : ''}Row ${rec.row}`;
    b.title = done ? `reviewed: ${answered(rec).verdict}` : 'not reviewed yet';
    b.dataset.testid = 'record-chip';
    b.dataset.row = String(rec.row);
    b.dataset.done = String(done);
    if (r === S.r) b.setAttribute('aria-current', 'true');
    b.addEventListener('click', () => show(S.t, r));
    nav.append(b);
  });
}

function renderPosition() {
  $('task-pos').textContent = `${S.t + 1} of ${S.tasks.length}` + (S.server ? ` (${task().name})` : '');
  $('record-pos').textContent = `${S.r + 1} of ${task().records.length}`;
}

function renderRecord() {
  const rec = record();
  renderPosition();
  $('row-id').textContent = String(rec.row);
  renderFeatureTable($('features'), S.schema, rec, editsOf(rec), onEdit);
  whatIfControls();
  renderScore();
  fillForm(rec);
  renderChips();
  renderProgress();
  syncUndo();
}

// What-if edits need the engine: until it has loaded the controls wait (disabled).
function whatIfControls() {
  for (const c of document.querySelectorAll('[data-testid=feature-input]')) c.disabled = !S.engine;
  $('reset').disabled = !S.engine;
}

function fillForm(rec) {
  const a = answered(rec);
  $('done-badge').hidden = !a;
  for (const radio of document.querySelectorAll('input[name=verdict]')) radio.checked = a ? radio.value === a.verdict : false;
  $('label').value = a ? a.label : modelLabel(rec);
  $('reason').value = a ? a.reason : '';
  $('comment').value = a ? a.comment : '';
  $('reason').classList.remove('invalid');
  $('reason').removeAttribute('aria-invalid');
  $('req').classList.toggle('needed', a?.verdict === 'disagree');
  formMessage('');
}

// Where the reviewer is: records left in this task; static, the batch's tasks left; served,
// the tasks the service still has for this reviewer (queue.waiting of its last reply).
function renderProgress() {
  const size = task().records.length;
  const left = task().records.filter((r) => !answered(r)).length;
  if (S.local) {
    const all = S.tasks.flatMap((t) => t.records);
    showProgress($('progress'), { reviewed: all.filter((r) => S.local.answer(r.row)).length, total: all.length,
      left, size, tasks: S.tasks.length, tasksLeft: S.tasks.filter((t) => t.records.some((r) => !answered(r))).length });
  } else if (S.pending) {
    showProgress($('progress'), { left, size, waiting: S.server.queue?.waiting ?? null });
  }
}

function formMessage(text, error = false) {
  const m = $('form-message');
  m.textContent = text;
  m.className = `form-message${error ? ' error' : ''}`;
}

// ---- what would flip it (web/flip_panel.js) ----

// The search's options: the flow's threshold, the page config's immutable features (on top of
// the schema's) and, for a regression, the move asked for (config counterfactual_target_delta).
function flipOptions() {
  // Immutable features: the schema's (in the engine), the page config's and the served flow's.
  const immutable = [...new Set([...(S.config.immutable || []), ...(S.flowImmutable || [])])]
    .filter((name) => S.schema.features.some((f) => f.name === name));
  const o = { max_features: Number(S.config.counterfactual_max_features) || 2, immutable };
  if (isBinary()) o.threshold = S.threshold ?? 0.5;
  else if (!isMulticlass()) o.target_delta = Number(S.config.counterfactual_target_delta) || 0;  // multi-class: another class on top
  return o;
}

const flips = new FlipPanel(document.getElementById('flip-panel'), applyFlip);
function showFlips(rec) {
  if (!S.engine || (!isBinary() && !isMulticlass() && !flipOptions().target_delta)) return;
  flips.update({ engine: S.engine, schema: S.schema, encoded: currentEncoded(rec), prediction: S.result.prediction,
    probabilities: S.result.probabilities, options: flipOptions() });
}

// One answer becomes what-if edits, one undo step.
function applyFlip(changes) {
  const rec = record();
  const edits = (S.edits[rec.row] ||= {});
  editHistory.before(rec.row, edits, 'flip');
  for (const c of changes) {
    if (Math.fround(c.to) === rec.encoded[c.feature]) delete edits[c.feature]; else edits[c.feature] = c.to;
  }
  if (!Object.keys(edits).length) delete S.edits[rec.row];
  renderFeatureTable($('features'), S.schema, rec, editsOf(rec), onEdit);
  renderScore();
  announceScore(S.result.prediction);
  syncUndo();
}

// ---- navigation and verdicts ----

function show(t, r) {
  if (t !== S.t || !S.drawn) window.scrollTo(0, 0);
  S.shapClass = null;  // each record opens on its predicted class's waterfall
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
  // Agree means the model's label (not the what-if one); disagreeing proposes the other label.
  const model = modelLabel(record());
  if (v === 'agree') $('label').value = model;
  else if (isBinary()) $('label').value = model === positive() ? negative() : positive();
  else if (isMulticlass() && S.result?.probabilities) {  // the model's runner-up class
    const probabilities = record().probabilities ?? S.result.probabilities;
    if ($('label').value === model) $('label').value = classLabel(runnerUp(probabilities));
  }
  $('req').classList.toggle('needed', v === 'disagree');
  if (v === 'agree') {
    $('reason').classList.remove('invalid');
    formMessage('');
  }
  if (v === 'disagree') $('reason').focus();
}

function cycleLabel() {
  const sel = $('label');
  if (sel.tagName !== 'SELECT') return sel.focus();
  sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
  onLabelChange();
}

// A label other than the model's is a disagreement, which needs a reason.
function onLabelChange() {
  if (sameLabel($('label').value, modelLabel(record()))) return;
  if (document.querySelector('input[name=verdict]:checked')?.value === 'disagree') return;
  document.querySelector('input[name=verdict][value=disagree]').checked = true;
  $('req').classList.add('needed');
  formMessage('A label other than the model\'s is a disagreement: give a reason.');
}

// Undoes the what-if edits only: the drafted verdict, label, reason and comment stay.
function resetRecord() {
  const rec = record();
  if (Object.keys(editsOf(rec)).length) editHistory.before(rec.row, editsOf(rec), 'reset');
  delete S.edits[rec.row];
  renderFeatureTable($('features'), S.schema, rec, editsOf(rec), onEdit);
  renderScore();
  syncUndo();
}

// Takes back the last what-if edit of this record (a reset is one too).
function undoEdit() {
  const rec = record();
  const before = editHistory.undo(rec.row);
  if (!before) return formMessage('No what-if edit to undo on this record.');
  if (Object.keys(before).length) S.edits[rec.row] = before; else delete S.edits[rec.row];
  renderFeatureTable($('features'), S.schema, rec, editsOf(rec), onEdit);
  renderScore();
  syncUndo();
}

function syncUndo() { $('undo').disabled = !editHistory.size(record().row); }

async function submit() {
  const rec = record();
  const verdict = document.querySelector('input[name=verdict]:checked')?.value;
  if (!verdict) return formMessage('Choose agree (a) or disagree (d) first.', true);
  const reason = $('reason').value.trim();
  if (verdict === 'agree' && !sameLabel($('label').value, modelLabel(rec))) {
    return formMessage('Agree keeps the model\'s label: choose disagree (d) and give a reason to propose another.', true);
  }
  if (verdict === 'disagree' && !reason) {
    $('reason').classList.add('invalid');
    $('reason').setAttribute('aria-invalid', 'true');
    $('reason').focus();
    return formMessage('A reason is required when you disagree. Nothing was submitted.', true);
  }
  // Leave the field: the next record's shortcuts must not be typed into it as text.
  if (document.activeElement !== document.body) document.activeElement?.blur();
  const edits = editsOf(rec);
  const answer = {
    row: rec.row, verdict, label: $('label').value, reason, comment: $('comment').value.trim(),
    model_label: rec.predicted_label, model_prediction: rec.prediction,
    edited_values: Object.fromEntries(Object.keys(edits).map((i) =>
      [S.schema.features[i].name, displayValue(S.schema, rec, edits, Number(i))])),
    prediction_after_edit: Object.keys(edits).length ? S.result.prediction : null,
  };
  session.add(`${task().name}:${rec.row}`, { verdict, changed: !sameLabel(answer.label, modelLabel(rec)) });
  if (S.local) {
    S.local.record(rec.row, answer);
    const next = firstOpen();
    if (next) {
      show(...next);
      return formMessage(`Saved your verdict on row ${rec.row}.`);
    }
    renderRecord();
    session.show($('session-summary'));
    return banner('Every record is reviewed. Export your verdicts with the button at the top.', 'info');
  }
  S.pending.answers[rec.row] = answer;
  savePending();
  const open = task().records.findIndex((r) => !S.pending.answers[r.row]);
  if (open >= 0) return show(S.t, open);
  await sendTask();
}

// ---- server mode ----

// Drafts of a task's answers, per reviewer and loop: in this browser and on the service
// (web/drafts.js), so signing in elsewhere, or again, finds them.
function savePending() { drafts.save(S.pending); }

async function sendTask() {
  const p = S.pending;
  const records = task().records.map((r) => p.answers[r.row]);
  const seconds = (Date.now() - Date.parse(task().accepted)) / 1000;
  let next;
  try {
    next = await S.server.answerThenNext(p.loop, p.answerId, { records }, seconds);
  } catch (e) {
    return banner(`Your answers are kept here but were not accepted yet: ${e.message}. Submit again to retry.`);
  }
  drafts.forget(p.loop);
  showServerTask(next);
  if (next) banner('Task submitted. This is your next task.', 'info', { fade: true });
}


function showServerTask(t) {
  if (!t) {
    $('main').hidden = true;
    $('progress').textContent = '';  // the task just sent is no longer in progress
    S.pending = null;
    session.show($('session-summary'));
    return banner('No task is waiting for you. Come back later.', 'info');
  }
  const input = t.input_content;
  S.threshold = input.threshold ?? 0.5;
  S.methods = input.methods;
  S.link ??= input.link;
  S.tasks = [{ name: t.loop, accepted: t.accepted, records: input.records.map((r) => normalize(r, input.features)) }];
  S.pending = drafts.resume(t);
  $('title').textContent = t.flow.title || t.flow.name;
  S.flowImmutable = Array.isArray(t.flow.immutable) ? t.flow.immutable : [];
  $('instructions').textContent = t.flow.instructions || '';
  $('instructions').hidden = !t.flow.instructions;
  $('main').hidden = false;
  window.scrollTo(0, 0);
  const open = S.tasks[0].records.findIndex((r) => !S.pending.answers[r.row]);
  show(0, Math.max(0, open));
  if (!$('banner').classList.contains('info')) banner('');
}

function loginMessage(text) {
  $('login-message').textContent = text;
  $('login-message').hidden = !text;
}

// The calls a signed-in reviewer's page makes first: who the token is, and the next task.
function startCalls(token) {
  const server = new ReviewServer(token);
  const calls = { token, server, me: server.me(), next: server.nextTask() };
  calls.me.catch(() => {});
  calls.next.catch(() => {});
  return calls;
}

async function startServerMode() {
  $('mode').textContent = 'review service';
  $('export').hidden = true;
  const token = localStorage.getItem('verdict:token');
  if (token) {
    // Who the token is and the next task, in one round trip instead of two (a refused token
    // fails both; me() says why) — asked as the page started, when it had a token then.
    const calls = S.early?.token === token ? S.early : startCalls(token);
    S.early = null;
    S.server = calls.server;
    try {
      const nextTask = calls.next;
      const me = await calls.me;
      S.reviewer = me.name;
      drafts = new Drafts(S.server, me.name);
      keys.load(me.name);
      $('mode').textContent = `review service · ${me.name}`;
      loginMessage('');
      $('signout').hidden = false;
      return showServerTask(await nextTask);
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        localStorage.removeItem('verdict:token');
        loginMessage('That token was not accepted. Check it, or ask for a new one.');
      } else {
        loginMessage(`The review service did not answer: ${e.message}. Try again.`);
      }
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

// Forgets the token; the drafts stay, under the reviewer's name, for when they sign in again.
function signOut() {
  localStorage.removeItem('verdict:token');
  window.location.reload();
}

// ---- static mode ----

// A record as the export's inputContent shows it: values by feature name, the batch's
// snapshot of score and SHAP values, and each method's expected value.
function exportInput(raw, features, methods) {
  return {
    row: raw.row,
    values: Object.fromEntries(features.map((f, i) => [f, raw.values[i] === null ? '' : String(raw.values[i])])),
    prediction: raw.prediction,
    predicted_label: raw.predicted_label ?? null,
    ...(raw.probabilities ? { margins: raw.margins, probabilities: raw.probabilities, predicted_class: raw.predicted_class } : {}),
    shap: raw.shap,
    expected_value: Object.fromEntries(Object.entries(methods || {}).map(([m, v]) => [m, v.expected_value])),
  };
}

// Static mode: the batch's first task (batch_head) is all the first waterfall needs; the whole
// batch follows once it is drawn. Until then the page stays on the first task.
function useBatch(batch) {
  S.threshold = batch.threshold ?? 0.5;
  S.methods = batch.methods;
  S.link ??= batch.link;
  const records = batch.records.map((r) => ({ ...normalize(r, batch.features), input: exportInput(r, batch.features, batch.methods) }));
  const per = Math.max(1, Number(S.config.records_per_task) || 3);
  S.tasks = [];
  for (let i = 0; i < records.length; i += per) {
    S.tasks.push({ name: `${S.config.flow}-task-${S.tasks.length + 1}`, records: records.slice(i, i + per) });
  }
  if (!S.tasks.length) throw new Error('the review batch holds no records');
}

async function startStaticMode() {
  $('mode').textContent = 'local: verdicts stay in this browser';
  const head = await fetchJson(S.manifest.assets.batch_head);
  useBatch(head);
  S.local = new LocalVerdicts(`verdict:${S.config.flow}:${head.source}`);
  keys.load(S.config.worker_id);
  window.verdictExport = () => S.local.exportA2I(S.tasks, S.config);
  const loadAll = async () => {
    useBatch(await wholeBatch());
    $('export').hidden = false;
  };
  const partial = head.total_records > head.records.length;
  if (partial && !firstOpen()) await loadAll();  // the first task is done: find the next open one
  else if (!partial) {
    $('export').hidden = false;
    S.whole = Promise.resolve(head);
  }
  $('main').hidden = false;
  const next = firstOpen();
  show(...(next || [0, 0]));
  if (!next) banner('Every record is reviewed. Export your verdicts with the button at the top.', 'info');
  if (partial && $('export').hidden) {
    firstWaterfall.then(loadAll).then(() => { renderPosition(); renderChips(); renderProgress(); })
      .catch((e) => banner(`The rest of the batch could not be loaded: ${e.message}`));
  }
}

function exportFile() {
  const blob = new Blob([JSON.stringify(window.verdictExport(), null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'verdicts.json';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}

function onKey(e) {
  if ($('main').hidden || keys.busy()) return;
  if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
    e.preventDefault();
    return submit();
  }
  const t = e.target;
  const typing = t.isContentEditable ||
    (['INPUT', 'SELECT', 'TEXTAREA'].includes(t.tagName) && !['radio', 'checkbox', 'button'].includes(t.type));
  if (typing) {
    if (e.key === 'Escape') t.blur();
    return;
  }
  // The reviewer's keys (web/hotkeys.js): remapped, or single keys turned off.
  const actions = {
    agree: () => setVerdict('agree'), disagree: () => setVerdict('disagree'), label: cycleLabel,
    next: () => move(1), prev: () => move(-1), submit, reset: resetRecord, undo: undoEdit,
    focus: () => document.querySelector('[data-testid=feature-input]')?.focus(),
  };
  const action = keys.match(e);
  if (action) {
    e.preventDefault();
    actions[action]();
  }
}

function topKOptions(defaultK, n) {
  const sel = $('topk');
  const ks = [...new Set([defaultK, 3, 5, 10].filter((k) => k > 0 && k < n))].sort((a, b) => a - b);
  for (const k of ks) sel.append(new Option(String(k), String(k)));
  sel.append(new Option(`all ${n}`, 'all'));
  sel.value = defaultK >= n ? 'all' : String(defaultK);
}

// The engine (WebAssembly + the packed model) loads after the first waterfall, which the
// batch's own SHAP values draw; what-if edits wait for it.
async function startEngine(schemaText) {
  const { assets } = S.manifest;
  const wasmUrl = new URL(assets['verdict_wasm.wasm'], document.baseURI).href;
  const [module, model] = await Promise.all([startModule({ locateFile: () => wasmUrl }), fetchBytes(assets.model)]);
  try {
    S.engine = await loadEngine(model, schemaText, { module });
  } catch (e) {
    throw new Error(`the model engine failed to load: ${e.message}`);
  }
  S.link = S.engine.link;
  setUnits();
  performance.mark('engine-ready');
}

function setUnits() {
  if (isMulticlass()) {
    const k = S.result?.shown ?? S.shapClass ?? 0;
    $('units').textContent = `log-odds of ${classNameOf(k)}`;
    return;
  }
  $('units').textContent = { logistic: 'log-odds', exp: 'log units',
    identity: `units of ${isBinary() ? 'the prediction' : S.schema.target.name}` }[S.link] || 'margin units';
}

async function main() {
  try {
    S.manifest = readManifest();
    panels = new Panels({ manifest: S.manifest, server: () => S.server, batch: wholeBatch });
    // Served or static? With a token kept from before, its first calls answer that (and start
    // the reviewer's task beside the schema); without, the service's health says.
    const token = localStorage.getItem('verdict:token');
    S.early = token ? startCalls(token) : null;
    const served = S.early
      ? S.early.me.then(() => true, (e) => (e.status === 401 || e.status === 403 ? true : ReviewServer.available()))
      : ReviewServer.available();
    S.config = { records_per_task: 3, top_k: 10, worker_id: 'local-reviewer', flow: 'review', ...S.manifest.config };
    if (S.config.title) $('title').textContent = S.config.title;
    document.title = `${S.config.title || 'Review'} · verdict`;
    const schema = await fetchText(S.manifest.assets.schema);
    S.schema = parseJson(schema, 'the schema');
    const n = S.schema.features.length;
    const k = Math.max(1, Number(S.config.top_k) || 10);
    S.topK = k >= n ? 'all' : k;
    topKOptions(k, n);
    if (isMulticlass()) {
      for (const l of S.schema.target.labels) $('label').append(new Option(className(S.schema, l), l));
      $('score-label').textContent = 'Probability of the predicted class';
      const pick = $('shap-class');
      S.schema.target.labels.forEach((l, k) => pick.append(new Option(className(S.schema, l), String(k))));
      pick.closest('label').hidden = false;
      pick.addEventListener('change', () => {
        const k = Number(pick.value);
        S.shapClass = k === Number(pick.dataset.predicted) ? null : k;  // the predicted one follows edits
        renderScore();
      });
    } else if (isBinary()) {
      for (const l of S.schema.target.labels) $('label').append(new Option(className(S.schema, l), l));
      $('score-label').textContent = `Probability of ${positive()}`;
      $('score-label').title = className(S.schema, positive());
    } else {
      const input = document.createElement('input');
      input.id = 'label';
      input.type = 'number';
      input.step = 'any';
      input.dataset.testid = 'label';
      $('label').replaceWith(input);
      $('score-label').textContent = `Predicted ${S.schema.target.name}`;
      $('outcome-stat').hidden = true;  // the raw prediction is the outcome
    }
    $('topk').addEventListener('change', () => {
      S.topK = $('topk').value === 'all' ? 'all' : Number($('topk').value);
      renderScore();
    });
    $('label').addEventListener('change', onLabelChange);
    $('reset').addEventListener('click', resetRecord);
    $('undo').addEventListener('click', undoEdit);
    $('hotkeys-open').addEventListener('click', () => keys.open($('hotkeys-open')));
    describeWaterfall($('waterfall'), () => S.schema);
    $('submit').addEventListener('click', submit);
    $('export').addEventListener('click', exportFile);
    $('signout').addEventListener('click', signOut);
    for (const radio of document.querySelectorAll('input[name=verdict]')) {
      radio.addEventListener('change', () => setVerdict(radio.value));
    }
    document.addEventListener('keydown', dismissPassing, true);
    document.addEventListener('pointerdown', dismissPassing, true);
    document.addEventListener('keydown', onKey);
    if (await served) await startServerMode();
    else await startStaticMode();
    $('loading').hidden = true;
    try {
      await startEngine(schema);
    } catch (e) {
      return banner(`What-if edits are unavailable: ${e.message}. The record and its explanation above are the batch's.`);
    }
    if (!$('main').hidden && S.tasks.length) {
      whatIfControls();
      renderScore();
    }
  } catch (e) {
    banner(`The review page could not start: ${e.message}`);
  } finally {
    $('loading').hidden = true;
  }
}

main();
