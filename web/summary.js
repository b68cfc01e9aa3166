// Where the reviewer is (the header: records left in the task, tasks left), and what they did
// in this session (a short summary once nothing is left to review).

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// The header's progress line. Static: { reviewed, total } records of the batch,
// { tasksLeft, tasks } tasks with a record still open. Served: { waiting } tasks the service
// could still lease to this reviewer (null when it did not say). Both: { left, size } records
// of the task in hand not answered yet.
export function showProgress(el, p) {
  const parts = [];
  if (p.total !== undefined) parts.push(`${p.reviewed} of ${p.total} records reviewed`);
  parts.push(`${p.left} of ${p.size} left in this task`);
  if (p.tasks !== undefined) parts.push(`${p.tasksLeft} of ${plural(p.tasks, 'task')} left`);
  if (p.waiting !== undefined && p.waiting !== null) parts.push(`${plural(p.waiting, 'more task')} waiting`);
  el.textContent = parts.join(' \u00b7 ');
  el.dataset.left = String(p.left);
  if (p.tasks !== undefined) el.dataset.tasksLeft = String(p.tasksLeft);
  if (p.waiting !== undefined && p.waiting !== null) el.dataset.waiting = String(p.waiting);
  else delete el.dataset.waiting;
}

// The answers given in this session (this page, since it was opened), a record counted once
// however often its answer was changed.
export class Session {
  constructor() { this.answers = new Map(); }

  // key: the task and row; changed: the label differs from the model's.
  add(key, { verdict, changed }) { this.answers.set(key, { verdict, changed }); }

  counts() {
    const all = [...this.answers.values()];
    return {
      reviewed: all.length,
      agreed: all.filter((a) => a.verdict === 'agree').length,
      disagreed: all.filter((a) => a.verdict === 'disagree').length,
      changed: all.filter((a) => a.changed).length,
    };
  }

  // Fills the summary card (hidden while nothing was answered in this session) and brings it
  // into view (the last answer may have been given at the bottom of a long page).
  show(section, heading = 'This session') {
    const c = this.counts();
    section.hidden = c.reviewed === 0;
    if (!c.reviewed) return;
    const h = document.createElement('h2');
    h.textContent = heading;
    const dl = document.createElement('dl');
    for (const [k, v, testid] of [['Records reviewed', c.reviewed, 'reviewed'],
      ['Agreed with the model', c.agreed, 'agreed'], ['Disagreed', c.disagreed, 'disagreed'],
      ['Labels changed', c.changed, 'changed']]) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = String(v);
      dd.dataset.testid = `summary-${testid}`;
      dl.append(dt, dd);
    }
    section.replaceChildren(h, dl);
    section.scrollIntoView({ block: 'nearest' });
  }
}
