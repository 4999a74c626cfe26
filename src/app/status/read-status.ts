/**
 * The status use case (`drover status --journal FILE [--config FILE]`): reads a journal (the
 * local file and, when the config keeps the journal in S3 too, the S3 copy: the longer record
 * wins, as for --resume) and says where the run is or stopped, what it leaves cordoned, and what
 * --resume would do next.
 */
import { JsonlJournal } from '../../adapters/journal/index.js';
import { S3JournalStore } from '../../adapters/s3/s3-journal-store.js';
import { Redactor } from '../../core/redact.js';
import type { UpgradeKind } from '../../core/plan.js';
import { UPGRADE_KINDS } from '../../core/plan.js';
import type { Plan } from '../../core/plan.js';
import type { JournalEntry, JournalStore } from '../../ports/journal.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { planFromConfig } from '../plan/plan-from-config.js';
import { s3Connection, s3JournalKey } from '../upgrade/build-journal-backup.js';
import { MirroredJournal } from '../upgrade/mirrored-journal.js';
import { journalStatus } from './journal-status.js';
import { selectionFlags, selectPlan } from '../../core/selection.js';
import type { JournalStatus } from './journal-status.js';

export interface StatusOptions {
  journal: string;
  config?: string;
  json?: boolean;
}

export interface StatusResult {
  journal: string;
  status?: JournalStatus;
  resumeCommand?: string;
  notes: string[];
}

/** `env`: where the S3 credentials come from (the process's environment in the CLI). */
export async function readStatus(
  options: StatusOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<StatusResult> {
  const notes: string[] = [];
  const loaded = options.config === undefined ? undefined : await loadConfig(options.config);
  const entries = await readJournal(options.journal, loaded, env, notes);
  let status = journalStatus(entries);
  if (status === undefined)
    return { journal: options.journal, notes: ['the journal records no run'] };
  let plan: Plan | undefined;
  if (loaded !== undefined) plan = resumePlan(loaded, status, notes);
  else notes.push('give --config (or DROVER_CONFIG) to see the steps --resume would run');
  if (plan !== undefined) status = journalStatus(entries, plan)!;
  const resumeCommand = resumeCommandOf(options, status);
  return { journal: options.journal, status, ...(resumeCommand ? { resumeCommand } : {}), notes };
}

/** The local journal, or the longer of it and its S3 copy when the config keeps one. */
async function readJournal(
  file: string,
  loaded: LoadedConfig | undefined,
  env: Readonly<Record<string, string | undefined>>,
  notes: string[],
): Promise<JournalEntry[]> {
  const local = new JsonlJournal(file);
  let store: JournalStore = local;
  let remote: S3JournalStore | undefined;
  const s3 = loaded?.config.backup.s3;
  if (loaded !== undefined && s3 !== undefined && loaded.config.journal.s3) {
    try {
      remote = new S3JournalStore({
        ...s3Connection(s3, env, new Redactor()),
        key: s3JournalKey(s3, loaded.config.cluster, file),
      });
      store = new MirroredJournal(local, remote);
    } catch (error) {
      notes.push(s3Note(error));
    }
  }
  return store
    .readAll()
    .catch(async (error: unknown) => {
      if (store === local) throw error;
      notes.push(s3Note(error));
      return local.readAll();
    })
    .finally(() => remote?.destroy());
}

/** The plan the run would resume with, rebuilt from the config (undefined: not an upgrade run). */
function resumePlan(loaded: LoadedConfig, status: JournalStatus, notes: string[]) {
  const { kind, to } = status;
  if (kind === undefined || to === undefined) return undefined;
  if (!(UPGRADE_KINDS as readonly string[]).includes(kind)) return undefined;
  try {
    const plan = planFromConfig(loaded, kind as UpgradeKind, {
      to,
      ...(status.from !== undefined ? { from: status.from } : {}),
    }).plan;
    // A selected run resumes with its own selection: the steps it would run are its own.
    if (!status.selection) return plan;
    return selectPlan(plan, loaded.inventory, status.selection.requested, {
      pinned: status.selection.nodes,
    });
  } catch (error) {
    notes.push(`no plan from the config (${(error as Error).message}): remaining steps unknown`);
    return undefined;
  }
}

function resumeCommandOf(options: StatusOptions, status: JournalStatus): string | undefined {
  if (status.state === 'succeeded' || status.kind === undefined || status.to === undefined)
    return undefined;
  return [
    'drover upgrade',
    status.kind,
    ...(options.config ? ['--config', options.config] : []),
    '--to',
    status.to,
    '--resume',
    '--journal',
    options.journal,
    ...(status.selection ? [selectionFlags(status.selection.requested)] : []),
  ].join(' ');
}

// Say so, and answer from the runner's copy: status is for when things are already wrong.
const s3Note = (error: unknown) =>
  `the S3 copy of the journal could not be read (${(error as Error).message}): local file only`;
