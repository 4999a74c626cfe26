/**
 * The status use case (`drover status --journal FILE [--config FILE]`): reads a journal (the
 * local file and, when the config keeps the journal in S3 too, the S3 copy: the longer record
 * wins, as for --resume) and says where the run is or stopped, what it leaves cordoned, and what
 * --resume would do next.
 */
import { basename } from 'node:path';
import { JsonlJournal } from '../../adapters/journal/index.js';
import { S3JournalStore } from '../../adapters/s3/s3-journal-store.js';
import { Redactor } from '../../core/redact.js';
import type { UpgradeKind } from '../../core/plan.js';
import { UPGRADE_KINDS } from '../../core/plan.js';
import type { Plan } from '../../core/plan.js';
import type { JournalStore } from '../../ports/journal.js';
import { loadConfig } from '../config/load-config.js';
import { planFromConfig } from '../plan/plan-from-config.js';
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
  const local = new JsonlJournal(options.journal);
  let store: JournalStore = local;
  let remote: S3JournalStore | undefined;
  const loaded = options.config === undefined ? undefined : await loadConfig(options.config);
  const s3 = loaded?.config.backup.s3;
  if (loaded !== undefined && s3 !== undefined && loaded.config.journal.s3) {
    try {
      remote = new S3JournalStore({
        bucket: s3.bucket,
        region: s3.region,
        forcePathStyle: s3.forcePathStyle,
        ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
        env,
        redactor: new Redactor(),
        key: `${s3.prefix}/${loaded.config.cluster}/journal/${basename(options.journal)}`,
      });
      store = new MirroredJournal(local, remote);
    } catch (error) {
      notes.push(s3Note(error));
    }
  }
  const entries = await store
    .readAll()
    .catch(async (error: unknown) => {
      if (store === local) throw error;
      notes.push(s3Note(error));
      return local.readAll();
    })
    .finally(() => remote?.destroy());
  let status = journalStatus(entries);
  if (status === undefined)
    return { journal: options.journal, notes: ['the journal records no run'] };
  let plan: Plan | undefined;
  if (loaded !== undefined && status.kind !== undefined && status.to !== undefined) {
    if ((UPGRADE_KINDS as readonly string[]).includes(status.kind)) {
      try {
        plan = planFromConfig(loaded, status.kind as UpgradeKind, {
          to: status.to,
          ...(status.from !== undefined ? { from: status.from } : {}),
        }).plan;
        // A selected run resumes with its own selection: the steps it would run are its own.
        if (status.selection)
          plan = selectPlan(plan, loaded.inventory, status.selection.requested, {
            pinned: status.selection.nodes,
          });
      } catch (error) {
        notes.push(
          `no plan from the config (${(error as Error).message}): remaining steps unknown`,
        );
      }
    }
  } else if (loaded === undefined) {
    notes.push('give --config (or DROVER_CONFIG) to see the steps --resume would run');
  }
  if (plan !== undefined) status = journalStatus(entries, plan)!;
  const resumeCommand =
    status.state === 'succeeded' || status.kind === undefined || status.to === undefined
      ? undefined
      : [
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
  return { journal: options.journal, status, ...(resumeCommand ? { resumeCommand } : {}), notes };
}

// Say so, and answer from the runner's copy: status is for when things are already wrong.
const s3Note = (error: unknown) =>
  `the S3 copy of the journal could not be read (${(error as Error).message}): local file only`;
