// Verdicts kept in the browser (localStorage: they survive a reload) and exported in the
// shape of Amazon A2I's output: one object per task (human loop) with humanAnswers.
export class LocalVerdicts {
  constructor(key) {
    this.key = key;
    const saved = JSON.parse(localStorage.getItem(key) || '{}');
    this.answers = saved.answers || {};    // row -> answer (with submittedAt)
    this.accepted = saved.accepted || {};  // task index -> first shown (ISO time)
  }

  save() {
    localStorage.setItem(this.key, JSON.stringify({ answers: this.answers, accepted: this.accepted }));
  }

  accept(taskIndex) {
    if (!this.accepted[taskIndex]) {
      this.accepted[taskIndex] = new Date().toISOString();
      this.save();
    }
  }

  answer(row) { return this.answers[row]; }

  record(row, answer) {
    this.answers[row] = { ...answer, submittedAt: new Date().toISOString() };
    this.save();
  }

  // tasks: [{ name, records }]; config: { flow, worker_id }
  exportA2I(tasks, config) {
    const out = [];
    tasks.forEach((task, t) => {
      const answered = task.records.filter((r) => this.answers[r.row]);
      if (!answered.length) return;
      const accepted = this.accepted[t] || answered[0].submittedAt;
      const submitted = answered.map((r) => this.answers[r.row].submittedAt).sort().at(-1);
      out.push({
        flowDefinitionArn: config.flow,
        humanLoopName: task.name,
        inputContent: { records: task.records.map((r) => r.input) },
        humanAnswers: [{
          answerContent: { records: answered.map((r) => { const { submittedAt, ...a } = this.answers[r.row]; return a; }) },
          acceptanceTime: accepted,
          submissionTime: submitted,
          timeSpentInSeconds: Math.max(0, (Date.parse(submitted) - Date.parse(accepted)) / 1000),
          workerId: config.worker_id,
        }],
      });
    });
    return out;
  }
}
