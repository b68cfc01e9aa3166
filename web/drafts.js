// The answers of the task in hand before it is sent (its draft), served by `verdict serve`:
// kept in this browser (localStorage, at once) and on the review service (PUT
// api/tasks/{loop}/draft, a moment after the last change), so a reviewer who signs in from
// another browser finds them. localStorage is the fallback when the service cannot be reached.
const SAVE_AFTER_MS = 400;

export class Drafts {
  // server: a ReviewServer; reviewer: the signed-in reviewer's name (drafts are per reviewer).
  constructor(server, reviewer, { delay = SAVE_AFTER_MS } = {}) {
    this.server = server;
    this.reviewer = reviewer;
    this.delay = delay;
    this.timer = 0;
    this.waiting = null;  // the draft the timer will send
    this.sending = Promise.resolve();
    window.addEventListener('pagehide', () => this.flush({ keepalive: true }));
  }

  key(loop) { return `verdict:pending:${this.reviewer}:${loop}`; }

  // The draft to go on with for a task from the service: the newer of the one the service
  // kept (task.draft) and this browser's, or a fresh one.
  resume(task) {
    const mine = (d) => (d && typeof d === 'object' && d.loop === task.loop && typeof d.answerId === 'string' &&
      d.answers && typeof d.answers === 'object' ? d : null);
    let local = null;
    try {
      local = mine(JSON.parse(localStorage.getItem(this.key(task.loop)) || 'null'));
    } catch { /* a damaged copy: the service's, or a fresh one */ }
    const served = mine(task.draft);
    const newer = [served, local].filter(Boolean).sort((a, b) => (b.savedAt || 0) - (a.savedAt || 0))[0];
    return newer || { loop: task.loop, answerId: crypto.randomUUID(), answers: {}, savedAt: 0 };
  }

  // Keeps the draft here now and on the service shortly (one request for a burst of changes).
  save(draft) {
    draft.savedAt = Date.now();
    localStorage.setItem(this.key(draft.loop), JSON.stringify(draft));
    this.waiting = draft;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delay);
  }

  // Sends the waiting draft now; resolves when the service has it (or could not be reached:
  // the copy in this browser stays).
  flush({ keepalive = false } = {}) {
    clearTimeout(this.timer);
    const draft = this.waiting;
    this.waiting = null;
    if (draft) {
      this.sending = this.sending.then(() => this.server.saveDraft(draft.loop, draft, { keepalive }))
        .catch(() => { /* offline, or the lease is gone: localStorage keeps it */ });
    }
    return this.sending;
  }

  // The task was sent: its draft is done with, here and in any save still to go.
  forget(loop) {
    if (this.waiting?.loop === loop) this.waiting = null;
    clearTimeout(this.timer);
    localStorage.removeItem(this.key(loop));
  }
}
