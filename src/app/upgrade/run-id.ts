/** Which run a real `drover upgrade` is: a fresh one, or the journal's newest (--resume). */
import { createHash, randomBytes } from 'node:crypto';
import { DroverError } from '../../core/errors.js';
import type { Inventory } from '../../core/inventory.js';
import type { Plan } from '../../core/plan.js';
import { selectionFlags } from '../../core/selection.js';
import type { Selection } from '../../core/selection.js';
import { latestRunId } from '../../engine/journal-view.js';
import type { Clock, JournalStore } from '../../ports/index.js';
import type { JournalEntry } from '../../ports/journal.js';

export function runIdOf(plan: Plan, clock: Clock): string {
  return `${plan.cluster}-${plan.kind}-${plan.to}-${new Date(clock.now()).toISOString()}`;
}

/**
 * The lease holder identity: unique per process (a random nonce), so two `--resume` of one run
 * on one host are two holders and cannot both hold the lease (invariant single-lease-holder).
 */
export function holderIdentityOf(host: string, runId: string, nonce?: string): string {
  return `drover/${host}/${runId}/${nonce ?? randomBytes(6).toString('hex')}`;
}

/** What a journal is bound to: hashes recorded in run-started, compared on --resume. */
export interface RunBinding {
  cluster: string;
  config: string;
  plan: string;
}

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

export function runBindingOf(plan: Plan, inventory: Inventory, config: unknown): RunBinding {
  return {
    cluster: digest({
      cluster: inventory.cluster,
      nodes: inventory.nodes.map((n) => [n.name, n.role, n.address, n.terraformAddresses]),
    }),
    config: digest(config),
    plan: digest(plan),
  };
}

const BINDING_NAMES: Record<keyof RunBinding, string> = {
  cluster: 'the cluster (its name, nodes, addresses)',
  config: 'the config',
  plan: 'the plan',
};

function checkBinding(started: JournalEntry, binding: RunBinding, journalFile: string): void {
  const recorded = started.data?.binding as Partial<RunBinding> | undefined;
  if (recorded === undefined) return; // a journal from before bindings were recorded
  const differ = (Object.keys(BINDING_NAMES) as (keyof RunBinding)[]).filter(
    (key) => recorded[key] !== undefined && recorded[key] !== binding[key],
  );
  if (differ.length === 0) return;
  const selection = started.data?.selection as { requested?: Selection } | undefined;
  throw new DroverError(
    'input',
    'JOURNAL_OTHER_RUN',
    `the journal ${journalFile} was written for another run: ${differ.map((k) => BINDING_NAMES[k]).join(', ')} changed since it started`,
    {
      hint: `Resume with the config and cluster the run started with${selection?.requested ? ` and its selection (${selectionFlags(selection.requested)})` : ''}, or pass another --journal to start over deliberately.`,
      details: { differs: differ, recorded, now: binding },
    },
  );
}

export type RunChoice =
  | { runId: string; finished?: undefined }
  /** --resume of a run that already succeeded: nothing to do. */
  | { runId: string; finished: JournalEntry };

/**
 * --resume continues the journal's latest run; with no journal or an empty one it starts fresh
 * (the workflows always pass --resume). Without --resume an unfinished run is never ignored.
 */
export async function chooseRunId(
  plan: Plan,
  resume: boolean,
  journal: JournalStore,
  journalFile: string,
  io: { stderr(text: string): void },
  clock: Clock,
  binding?: RunBinding,
): Promise<RunChoice> {
  const entries = await journal.readAll();
  const latest = latestRunId(entries);
  const started = entries.find((e) => e.runId === latest && e.type === 'run-started');
  const finished = entries.filter((e) => e.runId === latest && e.type === 'run-finished').at(-1);
  if (resume) {
    if (latest === undefined) {
      io.stderr(`--resume: the journal ${journalFile} holds no run; starting a fresh one\n`);
      return { runId: runIdOf(plan, clock) };
    }
    if (started && (started.kind !== plan.kind || started.to !== plan.to)) {
      throw new DroverError(
        'input',
        'JOURNAL_OTHER_RUN',
        `the journal ${journalFile} records a ${started.kind ?? '?'} upgrade to ${started.to ?? '?'}, not ${plan.kind} to ${plan.to}`,
        { hint: 'Pass the --journal of this upgrade (one journal per kind and target).' },
      );
    }
    if (finished?.outcome === 'succeeded' && started?.data?.selection !== undefined) {
      // A canary or other selected run that finished: the next run (the full one, usually) is
      // a new run; the nodes it finished are re-checked live and skipped, never redone.
      io.stderr(
        `--resume: run ${latest} was a selected run (canary or --nodes/--role/--limit/--phase) and finished; starting a fresh run\n`,
      );
      return { runId: runIdOf(plan, clock) };
    }
    if (started && binding) checkBinding(started, binding, journalFile);
    if (finished?.outcome === 'succeeded') {
      io.stderr(
        `--resume: run ${latest} already finished (succeeded at ${new Date(finished.at).toISOString()}); nothing to do\n`,
      );
      return { runId: latest, finished };
    }
    io.stderr(`--resume: continuing run ${latest} from ${journalFile}\n`);
    return { runId: latest };
  }
  if (latest !== undefined && !finished) {
    throw new DroverError(
      'input',
      'JOURNAL_UNFINISHED',
      `the journal ${journalFile} holds an unfinished run (${latest})`,
      { hint: 'Pass --resume to finish it, or use another --journal to start over deliberately.' },
    );
  }
  return { runId: runIdOf(plan, clock) };
}
