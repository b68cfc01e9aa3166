// Keyboard shortcuts a reviewer can change or turn off (WCAG 2.1.4, character key shortcuts):
// single-character keys can be switched off, and each action can be given another key (with
// Ctrl or Alt too). Kept per reviewer in this browser (localStorage). The Keyboard card and
// every <kbd data-hotkey="action"> on the page show the keys in force.

export const ACTIONS = [
  { id: 'agree', keys: ['a'], what: 'agree with the model' },
  { id: 'disagree', keys: ['d'], what: 'disagree with the model' },
  { id: 'label', keys: ['l'], what: 'next label for your prediction' },
  { id: 'next', keys: ['j', 'ArrowRight'], what: 'next record' },
  { id: 'prev', keys: ['k', 'ArrowLeft'], what: 'previous record' },
  { id: 'submit', keys: ['s'], what: 'submit' },
  { id: 'reset', keys: ['r'], what: 'reset the what-if edits to the original record' },
  { id: 'undo', keys: ['u'], what: 'undo the last what-if edit (Ctrl+Z too, outside a text field)' },
  { id: 'focus', keys: ['e'], what: 'go to the first feature (Esc leaves a field)' },
];
// Keys that stay as they are: the browser's and the page's own.
const RESERVED = new Set(['Tab', 'Shift+Tab', 'Enter', 'Escape', ' ', 'Ctrl+Enter', 'Ctrl+z', 'Ctrl+c', 'Ctrl+v',
  'Ctrl+x', 'Ctrl+a', 'Ctrl+r', 'Ctrl+w', 'Ctrl+t', 'Ctrl+l', 'F5']);
const FIXED = { 'Ctrl+z': 'undo' };
const LABELS = { ArrowRight: '\u2192', ArrowLeft: '\u2190', ArrowUp: '\u2191', ArrowDown: '\u2193', ' ': 'Space' };

// A key press as a name: "a", "ArrowRight", "Alt+a", "Ctrl+Shift+F2". A printable character
// is named by itself (Shift is in the character); letters are lower case.
export function keyName(e) {
  if (['Shift', 'Control', 'Alt', 'Meta', 'AltGraph'].includes(e.key)) return null;
  const mods = [];
  if (e.ctrlKey || e.metaKey) mods.push('Ctrl');
  if (e.altKey) mods.push('Alt');
  let key = e.key;
  if (key.length === 1) key = key.toLowerCase();
  else if (e.shiftKey) mods.push('Shift');
  return [...mods, key].join('+');
}

// A single character with no Ctrl or Alt: what WCAG 2.1.4 lets a person turn off.
const singleCharacter = (name) => [...name].length === 1;
const label = (name) => name.split('+').map((p) => LABELS[p] || p).join('+');

export class Hotkeys {
  constructor() {
    this.owner = null;
    this.single = true;
    this.map = Object.fromEntries(ACTIONS.map((a) => [a.id, [...a.keys]]));
    this.dialog = null;
  }

  storageKey() { return `verdict:hotkeys:${this.owner}`; }

  // The settings of this reviewer (defaults for someone new); redraws the hints.
  load(owner) {
    this.owner = owner;
    this.single = true;
    this.map = Object.fromEntries(ACTIONS.map((a) => [a.id, [...a.keys]]));
    try {
      const saved = JSON.parse(localStorage.getItem(this.storageKey()) || 'null');
      if (saved) {
        this.single = saved.single !== false;
        for (const a of ACTIONS) {
          const keys = saved.keys?.[a.id];
          if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) this.map[a.id] = keys;
        }
      }
    } catch { /* damaged settings: the defaults */ }
    this.render();
  }

  save() {
    if (this.owner !== null) localStorage.setItem(this.storageKey(), JSON.stringify({ single: this.single, keys: this.map }));
    this.render();
  }

  // The keys that work now for an action (single characters left out while they are off).
  keysOf(action) { return this.map[action].filter((k) => this.single || !singleCharacter(k)); }

  // The action a key press asks for, or null (always null while the settings are open).
  match(e) {
    if (this.dialog?.open) return null;
    const name = keyName(e);
    if (!name) return null;
    if (FIXED[name]) return FIXED[name];
    return ACTIONS.find((a) => this.keysOf(a.id).includes(name))?.id ?? null;
  }

  busy() { return Boolean(this.dialog?.open); }

  // Gives an action `name` as its main key; returns why not ('' when done).
  assign(action, name) {
    if (RESERVED.has(name)) return `${label(name)} is kept for the browser and the page; choose another key.`;
    const other = ACTIONS.find((a) => a.id !== action && this.map[a.id].includes(name));
    if (other) return `${label(name)} already does "${other.what}"; change that one first.`;
    this.map[action] = [name, ...this.map[action].slice(1).filter((k) => k !== name)];
    this.save();
    return '';
  }

  setSingle(on) {
    this.single = on;
    this.save();
  }

  restoreDefaults() {
    this.single = true;
    this.map = Object.fromEntries(ACTIONS.map((a) => [a.id, [...a.keys]]));
    this.save();
  }

  // Shows the keys in force: each <kbd data-hotkey> (hidden when its action has none) and the
  // list in the Keyboard card.
  render() {
    for (const kbd of document.querySelectorAll('kbd[data-hotkey]')) {
      const keys = this.keysOf(kbd.dataset.hotkey);
      kbd.textContent = keys.length ? label(keys[0]) : '';
      kbd.hidden = !keys.length;
    }
    const list = document.querySelector('[data-testid=shortcut-list]');
    if (list) {
      list.replaceChildren();
      for (const a of ACTIONS) {
        const dt = document.createElement('dt');
        const keys = this.keysOf(a.id);
        if (!keys.length) dt.textContent = 'off';
        keys.forEach((k, i) => {
          if (i) dt.append(' ');
          const kbd = document.createElement('kbd');
          kbd.textContent = label(k);
          dt.append(kbd);
        });
        dt.dataset.action = a.id;
        const dd = document.createElement('dd');
        dd.textContent = a.what;
        list.append(dt, dd);
      }
      const dt = document.createElement('dt');
      dt.innerHTML = '<kbd>Ctrl+Enter</kbd>';
      const dd = document.createElement('dd');
      dd.textContent = 'submit, also inside a field';
      list.append(dt, dd);
    }
    const state = document.querySelector('[data-testid=shortcut-state]');
    if (state) state.textContent = this.single ? '' : 'Single-key shortcuts are off.';
    if (this.dialog?.open) this.fillDialog();
  }

  // The settings panel (a modal dialog, opened from the Keyboard card).
  open(opener) {
    if (!this.dialog) this.dialog = this.buildDialog();
    this.opener = opener;
    this.message('');
    this.fillDialog();
    this.dialog.showModal();
  }

  buildDialog() {
    const d = document.createElement('dialog');
    d.className = 'hotkeys';
    d.dataset.testid = 'hotkey-settings';
    d.setAttribute('aria-labelledby', 'hotkeys-title');
    d.innerHTML = `<h2 id="hotkeys-title">Keyboard shortcuts</h2>
      <label class="single"><input type="checkbox" data-testid="single-keys"> Single-key shortcuts (a, d, j&hellip;)</label>
      <p class="note">Turn them off if you use speech input or tend to press keys by accident. Keys with Ctrl or
        Alt, the arrows and Ctrl+Enter keep working; give an action such a key below.</p>
      <table><thead><tr><th>Action</th><th>Keys</th><th></th></tr></thead><tbody></tbody></table>
      <p class="form-message" role="status" data-testid="hotkey-message"></p>
      <div class="actions"><button type="button" data-testid="hotkeys-defaults">Restore the defaults</button>
        <button type="button" class="primary" data-testid="hotkeys-done">Done</button></div>`;
    d.querySelector('[data-testid=single-keys]').addEventListener('change', (e) => this.setSingle(e.target.checked));
    d.querySelector('[data-testid=hotkeys-defaults]').addEventListener('click', () => {
      this.restoreDefaults();
      this.message('The default keys are back.');
    });
    d.querySelector('[data-testid=hotkeys-done]').addEventListener('click', () => d.close());
    d.addEventListener('close', () => {
      this.stopRecording();
      this.opener?.focus();
    });
    document.body.append(d);
    return d;
  }

  fillDialog() {
    const d = this.dialog;
    d.querySelector('[data-testid=single-keys]').checked = this.single;
    const body = d.querySelector('tbody');
    body.replaceChildren();
    for (const a of ACTIONS) {
      const tr = document.createElement('tr');
      tr.dataset.action = a.id;
      const what = document.createElement('td');
      what.textContent = a.what.replace(/ \(.*\)$/, '');
      const keys = document.createElement('td');
      keys.dataset.testid = 'hotkey-keys';
      this.map[a.id].forEach((k) => {
        const kbd = document.createElement('kbd');
        kbd.textContent = label(k);
        if (!this.single && singleCharacter(k)) {
          kbd.classList.add('off');
          kbd.title = 'off: single-key shortcuts are turned off';
        }
        keys.append(kbd, ' ');
      });
      const change = document.createElement('td');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Change';
      b.dataset.testid = 'hotkey-change';
      b.setAttribute('aria-label', `Change the key to ${a.what.replace(/ \(.*\)$/, '')}`);
      b.addEventListener('click', () => this.record(a.id, b));
      change.append(b);
      tr.append(what, keys, change);
      body.append(tr);
    }
  }

  // Waits for the next key press in the panel and gives it to the action (Esc cancels).
  record(action, button) {
    this.stopRecording();
    button.textContent = 'Press a key\u2026';
    button.classList.add('recording');
    this.message('Press the new key, with Ctrl or Alt if you like; Esc cancels.');
    this.recording = (e) => {
      const name = keyName(e);
      if (!name) return;
      e.preventDefault();
      e.stopPropagation();
      this.stopRecording();
      if (name === 'Escape') {
        this.fillDialog();
        return this.message('Nothing changed.');
      }
      const why = this.assign(action, name);
      this.fillDialog();
      this.message(why || `${label(name)} now does "${ACTIONS.find((a) => a.id === action).what}".`);
      this.dialog.querySelector(`tr[data-action=${action}] button`)?.focus();
    };
    this.dialog.addEventListener('keydown', this.recording, true);
  }

  stopRecording() {
    if (this.recording) this.dialog.removeEventListener('keydown', this.recording, true);
    this.recording = null;
  }

  message(text) {
    if (this.dialog) this.dialog.querySelector('[data-testid=hotkey-message]').textContent = text;
  }
}
