// The review service's API, when the page is served by `verdict serve`.
export class ReviewServer {
  constructor(token) { this.token = token; }

  static async available() {
    try {
      const r = await fetch('api/health', { cache: 'no-store' });
      return r.ok && (await r.json()).service === 'verdict';
    } catch { return false; }
  }

  async call(method, path, body) {
    const r = await fetch(path, {
      method, headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(data.error || `HTTP ${r.status}`), { status: r.status });
    return data;
  }

  me() { return this.call('GET', 'api/me'); }
  async nextTask() { return (await this.call('POST', 'api/tasks/next', {})).task; }
  // Stores the answer and leases the next task in the same call: resolves to that task or null.
  async answerThenNext(loop, answerId, content, seconds) {
    const r = await this.call('POST', `api/tasks/${encodeURIComponent(loop)}/answer`,
      { answer_id: answerId, answer_content: content, time_spent_seconds: seconds, next: true });
    return r.next_task;
  }
}
