// A polite live region that says the last of a burst of messages once the burst is over
// (one announcement per pause in typing, not one per keystroke).

// Returns say(text): text is written to el `delay` ms after the last call.
export function announcer(el, delay = 700) {
  let timer = 0;
  return (text) => {
    clearTimeout(timer);
    timer = setTimeout(() => { if (el) el.textContent = text; }, delay);
  };
}
