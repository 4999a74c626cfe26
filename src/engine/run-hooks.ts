/**
 * Runs the config's hooks through the HookRunner port and journals each run as a note (with
 * its redacted output tail), so the report lists every hook that ran and the journal knows,
 * across processes, which before hook still owes its after hook.
 *
 * Pairing: the after hook of a pair runs once its before hook ran, on every path (success,
 * failure, abort, SIGTERM): `after-run` once `before-run` was started, `after-uncordon` of a node
 * once its `before-drain` ran, even when the node's cycle stopped. Hooks are never cut off by
 * an abort (only by their own timeout), like any other running command.
 */
import { DroverError } from '../core/errors.js';
import type { HookCommandResult, HookContext, HookPoint } from '../ports/hooks.js';
import type { JournalEntry } from '../ports/journal.js';
import type { RunState } from './context.js';
import { appendEntry } from './journal-append.js';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function where(point: HookPoint, node: string | undefined): string {
  return `hook ${point}${node ? ` of ${node}` : ''}`;
}

function describeResult(result: HookCommandResult): string {
  const status =
    result.exitCode !== undefined
      ? `exited ${result.exitCode}`
      : (result.error ?? 'did not finish');
  return `${result.command} ${status} after ${Math.round(result.durationSeconds)}s`;
}

/** Whether this run (any process of it) journaled a run of `point` (for `node`; passed only, with `okOnly`). */
export function hookRan(
  entries: readonly JournalEntry[],
  point: HookPoint,
  node?: string,
  okOnly = false,
): boolean {
  const index = hookIndex(entries);
  const key = hookKey(point, node);
  return (okOnly ? index.ok : index.ran).has(key);
}

/**
 * The hook notes of a journal array, as `point|node` keys (`point|*` for any node), kept per
 * array and brought up to date with only the entries appended since (the journal is
 * append-only, as in journal-view.ts): the engine asks per node after each step, so scanning
 * the whole journal each time made a run's cost grow with the square of the node count.
 */
interface HookIndex {
  seen: number;
  first: JournalEntry | undefined;
  ran: Set<string>;
  ok: Set<string>;
}

const hookIndexes = new WeakMap<readonly JournalEntry[], HookIndex>();

const hookKey = (point: unknown, node: string | undefined) => `${String(point)}|${node ?? '*'}`;

function hookIndex(entries: readonly JournalEntry[]): HookIndex {
  let index = hookIndexes.get(entries);
  // A shorter journal, or another first entry, is not the one indexed: start over.
  if (!index || index.seen > entries.length || index.first !== entries[0]) {
    index = { seen: 0, first: entries[0], ran: new Set(), ok: new Set() };
    hookIndexes.set(entries, index);
  }
  for (let i = index.seen; i < entries.length; i++) {
    const e = entries[i];
    if (e?.type !== 'note' || typeof e.data?.hook !== 'string') continue;
    const keys = [hookKey(e.data.hook, undefined)];
    if (e.node !== undefined) keys.push(hookKey(e.data.hook, e.node));
    for (const key of keys) {
      index.ran.add(key);
      if (e.data.ok === true) index.ok.add(key);
    }
  }
  index.seen = entries.length;
  return index;
}

/**
 * Runs the commands of `point` when the config has any. Returns the failure (HOOK_FAILED, with
 * the failing command's output tail) or undefined when every command exited 0. Never throws.
 */
export async function runHookPoint(
  run: RunState,
  point: HookPoint,
  extra: { node?: string; outcome?: string } = {},
): Promise<DroverError | undefined> {
  const hooks = run.ports.hooks;
  if (hooks === undefined || !hooks.configured(point)) return undefined;
  const { node } = extra;
  const context: HookContext = {
    point,
    cluster: run.plan.cluster,
    kind: run.plan.kind,
    from: run.plan.from,
    to: run.plan.to,
    runId: run.runId,
    ...extra,
  };
  run.log('info', `${where(point, node)}: running`, node);
  run.audit({ operation: `hooks.${point}`, inputs: { ...extra }, ...(node ? { node } : {}) });
  let results: HookCommandResult[];
  try {
    results = await hooks.run(context);
  } catch (error) {
    // A runner that throws is a failed hook, never a pass.
    results = [
      {
        command: point,
        exitCode: undefined,
        ok: false,
        durationSeconds: 0,
        outputTail: '',
        error: messageOf(error),
      },
    ];
  }
  const failed = results.find((r) => !r.ok);
  const summary = failed
    ? `${where(point, node)} failed: ${describeResult(failed)}${failed.outputTail ? `; output: ${failed.outputTail}` : ''}`
    : `${where(point, node)} succeeded: ${results.map(describeResult).join('; ')}`;
  await appendEntry(run, {
    type: 'note',
    ...(node ? { node } : {}),
    message: summary,
    data: { hook: point, ok: failed === undefined, results, ...extra },
  }).catch(() => undefined);
  run.log(failed ? 'error' : 'info', summary, node);
  if (failed === undefined) return undefined;
  return new DroverError('failed', 'HOOK_FAILED', run.redactor.redact(summary), {
    hint: `The ${point} hook must exit 0; fix the command (hooks.${hookConfigKey(point)} in the config) or what it checks, then run again with --resume.`,
    details: {
      hook: point,
      command: failed.command,
      exitCode: failed.exitCode ?? null,
      ...(node ? { node } : {}),
    },
  });
}

/** The config key of a hook point (camelCase of the point). */
export function hookConfigKey(point: HookPoint): string {
  return point.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The report's notes about hooks: one per hook run this run journaled, in order. */
export function hookNotes(entries: readonly JournalEntry[]): string[] {
  return entries.flatMap((e) =>
    e.type === 'note' && typeof e.data?.hook === 'string' && e.message ? [e.message] : [],
  );
}
