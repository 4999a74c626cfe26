/** Runs `drover route` in-process (the same code path as the CLI action) and captures it. */
import { routeCommand } from '../../src/cli/route/route-command.js';
import { ROUTE_DEFAULTS, type RouteOptions } from '../../src/app/route/run-route.js';
import { exitCodeFor, isDroverError, type DroverError } from '../../src/core/errors.js';
import type { RouteDocument } from '../../src/app/route/route-document.js';

export interface RouteRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  document: RouteDocument | undefined;
  error: DroverError | undefined;
}

export async function route(
  repo: string,
  options: Partial<RouteOptions & { json: boolean }> = {},
): Promise<RouteRun> {
  let stdout = '';
  let stderr = '';
  try {
    const exitCode = await routeCommand(
      {
        ...ROUTE_DEFAULTS,
        repo,
        allowDowngrade: false,
        allowMultiHop: false,
        allowUnknown: false,
        allowPrerelease: false,
        env: {},
        json: true,
        ...options,
      },
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    );
    return {
      exitCode,
      stdout,
      stderr,
      document: options.json === false ? undefined : (JSON.parse(stdout) as RouteDocument),
      error: undefined,
    };
  } catch (error) {
    if (!isDroverError(error)) throw error;
    return { exitCode: exitCodeFor(error), stdout, stderr, document: undefined, error };
  }
}
