/**
 * talosctl prints etcd tables only as text (no JSON, talos#10819), through Go's tabwriter with a
 * padding of 3: header names are separated by 3+ spaces, a header name itself has single spaces
 * ("PEER URLS"), and every cell of a column starts where its header starts. We slice rows at the
 * header positions, so an added column (1.11's PROTOCOL, STORAGE) or a cell with spaces
 * (`9.8 MB (49.12%)`) is read correctly.
 */
export type TableRow = Record<string, string>;

export function parseTextTable(text: string): { columns: string[]; rows: TableRow[] } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) return { columns: [], rows: [] };
  const starts: { name: string; at: number }[] = [];
  const cell = /\S+(?: \S+)*/g;
  for (let m = cell.exec(header); m; m = cell.exec(header))
    starts.push({ name: m[0], at: m.index });
  const rows = lines.slice(1).map((line) => {
    const row: TableRow = {};
    starts.forEach((column, i) => {
      const end = starts[i + 1]?.at ?? line.length;
      row[column.name] = line.slice(column.at, i + 1 < starts.length ? end : undefined).trim();
    });
    return row;
  });
  return { columns: starts.map((s) => s.name), rows };
}
