export type * from './clock.js';
export type * from './kubernetes.js';
export type * from './talos.js';
export type * from './infrastructure.js';
export type * from './state-backup.js';
export type * from './secrets.js';
export type * from './storage.js';
export type * from './journal.js';
export type * from './lock.js';
export type * from './reporter.js';
export type * from './hooks.js';
export type * from './silences.js';
export type * from './registry.js';

import type { Clock } from './clock.js';
import type { KubernetesPort } from './kubernetes.js';
import type { TalosPort } from './talos.js';
import type { InfrastructurePort } from './infrastructure.js';
import type { StateBackupPort } from './state-backup.js';
import type { SecretsPort } from './secrets.js';
import type { StoragePort } from './storage.js';
import type { JournalStore } from './journal.js';
import type { LockPort } from './lock.js';
import type { Reporter } from './reporter.js';
import type { HookRunner } from './hooks.js';
import type { SilencePort } from './silences.js';
import type { RegistryPort } from './registry.js';

/** Everything the engine talks to. */
export interface Ports {
  clock: Clock;
  kubernetes: KubernetesPort;
  talos: TalosPort;
  infrastructure: InfrastructurePort;
  stateBackup: StateBackupPort;
  secrets: SecretsPort;
  storage: StoragePort;
  journal: JournalStore;
  lock: LockPort;
  reporter: Reporter;
  /** The config's pre/post hooks; absent when none are configured. */
  hooks?: HookRunner;
  /** Alertmanager silences for the run; absent when not configured. */
  silences?: SilencePort;
  /** Where installer images are checked before the first node (absent: no check). */
  registry?: RegistryPort;
}
