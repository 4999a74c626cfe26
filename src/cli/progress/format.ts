/** Shared formatting for progress output: elapsed time and one-line step descriptions. */
export function elapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(h)}:${pad(m)}:${pad(s % 60)}`;
}

export function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
