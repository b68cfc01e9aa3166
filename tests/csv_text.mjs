// RFC 4180 rows of a CSV text (quoted cells may hold commas, quotes and newlines): for the
// JavaScript tests that read what the CLI wrote.
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += '"', i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), cell = '';
    else if (c === '\n') row.push(cell), rows.push(row), row = [], cell = '';
    else if (c !== '\r') cell += c;
  }
  return rows;
}
