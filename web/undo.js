// Undo for what-if edits: a stack per record of the edits as they were before each change.
// Keystrokes in one field that follow each other quickly are one step (typing "45" is one
// edit, not two); a reset, and an applied decision flip, is a step of its own.
const SAME_EDIT_MS = 1000;
const DEPTH = 100;  // steps kept per record

export class EditHistory {
  constructor() {
    this.stacks = new Map();  // row -> [{ featureIndex: value }, ...], oldest first
    this.last = null;         // { row, feature, at } of the last step, to merge keystrokes
  }

  // Call before a change of `edits` (the record's map of edited values) by `feature` (a
  // feature index, 'reset' or 'flip').
  before(row, edits, feature, now = performance.now()) {
    const stack = this.stacks.get(row) || [];
    const last = this.last;
    const sameEdit = typeof feature === 'number' && last && last.row === row && last.feature === feature &&
      now - last.at < SAME_EDIT_MS && stack.length > 0;
    if (!sameEdit) {
      stack.push({ ...edits });
      if (stack.length > DEPTH) stack.shift();
    }
    this.stacks.set(row, stack);
    this.last = { row, feature, at: now };
  }

  // The edits as they were before the last step (and forgets that step), or null.
  undo(row) {
    this.last = null;
    const stack = this.stacks.get(row);
    return stack?.length ? stack.pop() : null;
  }

  size(row) { return this.stacks.get(row)?.length || 0; }
}
