/** The end of a command's output, trimmed and cut to `max` characters: where errors are. */
export function outputTail(text: string, max = 600): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(-max)}`;
}
