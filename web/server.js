// The review service's API, when the page is served by `verdict serve`.
export class ReviewServer {
  constructor(token) {
    this.token = token;
    this.queue = null;  // { waiting }: tasks still there for this reviewer, as the last reply said
  }

  static async available() {
    try {
      const r = await fetch('api/health', { cache: 'no-store' });
      return r.ok && (await r.json()).service === 'verdict';
    } catch { return false; }
  }

  async call(method, path, body, { keepalive = false } = {}) {
    const r = await fetch(path, {
      method, headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body), keepalive,
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(data.error || `HTTP ${r.status}`), { status: r.status });
    return data;
  }

  me() { return this.call('GET', 'api/me'); }
  async nextTask() {
    const r = await this.call('POST', 'api/tasks/next', {});
    this.queue = r.queue ?? null;
    return r.task;
  }
  // Stores the answer and leases the next task in the same call: resolves to that task or null.
  async answerThenNext(loop, answerId, content, seconds) {
    const r = await this.call('POST', `api/tasks/${encodeURIComponent(loop)}/answer`,
      { answer_id: answerId, answer_content: content, time_spent_seconds: seconds, next: true });
    this.queue = r.queue ?? null;
    return r.next_task;
  }

  // Keeps the task's pending answers on the service (only while the task is leased to us).
  saveDraft(loop, draft, { keepalive = false } = {}) {
    return this.call('PUT', `api/tasks/${encodeURIComponent(loop)}/draft`, draft, { keepalive });
  }
}
