export function buildCliInto(outdir: string): string;
