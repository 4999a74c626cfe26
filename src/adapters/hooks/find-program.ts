/**
 * Whether a command's program can be started, checked before the run: a hook or command gate
 * whose program is missing would otherwise fail only when its moment comes, possibly with a
 * node already cordoned. A path with a slash is taken relative to the config's directory; a bare
 * name is looked up on PATH, as the exec chokepoint's spawn does.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The program's path when it can be started, else undefined. */
export function findProgram(
  file: string,
  cwd: string,
  path: string | undefined,
): string | undefined {
  if (file.includes('/')) {
    const full = isAbsolute(file) ? file : resolve(cwd, file);
    return executable(full) ? full : undefined;
  }
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const full = join(isAbsolute(dir) ? dir : resolve(cwd, dir), file);
    if (executable(full)) return full;
  }
  return undefined;
}
