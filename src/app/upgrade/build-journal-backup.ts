/**
 * Where a real run keeps its records outside the cluster: the journal (a local file, mirrored to
 * S3 when journal.s3 is set) and the Terraform state backup (backup.s3, or none: then every
 * destroy refuses).
 */
import { basename } from 'node:path';
import { JsonlJournal } from '../../adapters/journal/index.js';
import { S3JournalStore } from '../../adapters/s3/s3-journal-store.js';
import { S3StateBackup } from '../../adapters/s3/s3-state-backup.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type { JournalStore, StateBackupPort } from '../../ports/index.js';
import type { LoadedConfig } from '../config/load-config.js';
import { MirroredJournal } from './mirrored-journal.js';

export interface JournalAndBackup {
  journal: JournalStore & { close?(): Promise<void> };
  stateBackup: StateBackupPort;
}

export function buildJournalAndBackup(
  loaded: LoadedConfig,
  journalFile: string,
  env: Env,
  redactor: Redactor,
): JournalAndBackup {
  const { config, paths } = loaded;
  const local = new JsonlJournal(journalFile);
  const s3 = config.backup.s3;
  const connection = s3 && s3Connection(s3, env, redactor);
  const journal =
    connection && config.journal.s3
      ? new MirroredJournal(
          local,
          new S3JournalStore({ ...connection, key: s3JournalKey(s3, config.cluster, journalFile) }),
        )
      : local;
  const stateBackup: StateBackupPort = connection
    ? prefixed(s3.prefix, new S3StateBackup({ ...connection, localCopyDir: paths.backupDir }))
    : NO_BACKUP;
  return { journal, stateBackup };
}

type S3Config = NonNullable<LoadedConfig['config']['backup']['s3']>;
type Env = Readonly<Record<string, string | undefined>>;

/** How the S3 clients reach backup.s3 (credentials from the AWS_* variables of `env`). */
export function s3Connection(s3: S3Config, env: Env, redactor: Redactor) {
  return {
    bucket: s3.bucket,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    env,
    redactor,
  };
}

/** The journal's S3 copy: `<prefix>/<cluster>/journal/<file name>` (upgrade and status agree). */
export function s3JournalKey(s3: S3Config, cluster: string, journalFile: string): string {
  return `${s3.prefix}/${cluster}/journal/${basename(journalFile)}`;
}

/** Backups live under `<prefix>/<cluster>/…` (the engine's key starts at the cluster). */
export function prefixed(prefix: string, inner: StateBackupPort): StateBackupPort {
  const full = (key: string) => (prefix === '' ? key : `${prefix.replace(/\/+$/, '')}/${key}`);
  return {
    put: (key, bytes, signal) => inner.put(full(key), bytes, signal),
    get: (key, signal) => inner.get(full(key), signal),
  };
}

const noBackup = (): never => {
  throw new DroverError('input', 'BACKUP_NOT_CONFIGURED', 'no state backup target is configured', {
    hint: 'Add backup.s3 to the config: no VM is destroyed without a verified state backup.',
  });
};
const NO_BACKUP: StateBackupPort = { put: async () => noBackup(), get: async () => noBackup() };
