// A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF). Header names and
// cells are trimmed; blank cells become null (missing), never empty strings.

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || (r[0] ?? '').trim() !== '');
}

export interface CsvTable {
  header: string[];
  rows: Record<string, string | null>[];
}

export function readCsvTable(text: string): CsvTable {
  const [head, ...body] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!head) return { header: [], rows: [] };
  const header = head.map((h) => h.trim());
  const rows = body.map((cells) => {
    const row: Record<string, string | null> = {};
    header.forEach((h, i) => {
      const v = (cells[i] ?? '').trim();
      row[h] = v === '' ? null : v;
    });
    return row;
  });
  return { header, rows };
}
