/**
 * Assembles the engine's ports for a real cluster from the loaded config, the command-line
 * flags and the (injected) environment. Secrets are registered with the one Redactor before
 * any adapter exists, so nothing an adapter says can carry them out unredacted.
 */
import { basename } from 'node:path';
import { JsonlJournal } from '../../adapters/journal/index.js';
import { createKubernetesAdapter } from '../../adapters/kubernetes/index.js';
import type { KubernetesAdapter } from '../../adapters/kubernetes/index.js';
import { S3JournalStore } from '../../adapters/s3/s3-journal-store.js';
import { S3StateBackup } from '../../adapters/s3/s3-state-backup.js';
import { MachineConfigSecrets } from '../../adapters/secrets/machine-config-secrets.js';
import { registerEnvironmentSecrets } from '../../adapters/secrets/environment-secrets.js';
import { SopsDecryptor } from '../../adapters/sops/sops-decryptor.js';
import { RookCephStorage } from '../../adapters/storage/rook-ceph-storage.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { OciRegistry } from '../../adapters/registry/oci-registry.js';
import { TalosctlAdapter } from '../../adapters/talos/talosctl-adapter.js';
import { TerraformAdapter } from '../../adapters/terraform/terraform-adapter.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { LeaseLock } from '../../adapters/kubernetes/lease-lock.js';
import type {
  Clock,
  JournalStore,
  Ports,
  Reporter,
  StateBackupPort,
  StoragePort,
} from '../../ports/index.js';
import type { LoadedConfig } from '../config/load-config.js';
import { MirroredJournal } from './mirrored-journal.js';
import { alertmanagerSecretEnvNames, buildHookRunner, buildSilences } from './build-extras.js';

export type Env = Record<string, string | undefined>;

export interface PortFlags {
  kubeconfig?: string;
  context?: string;
  talosconfig?: string;
  journal?: string;
}

/** Variables whose values are secret whatever the config says. */
export const ALWAYS_SECRET = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'SOPS_AGE_KEY',
] as const;

/** The secret variables of this config: the always-secret ones and the machine-config variables. */
export function secretEnvNames(loaded: LoadedConfig): string[] {
  const machineConfigVars = Object.values(loaded.inventory.machineConfigs)
    .filter((s) => s.kind === 'env-base64')
    .map((s) => s.ref);
  return [
    ...new Set([
      ...ALWAYS_SECRET,
      ...machineConfigVars,
      ...alertmanagerSecretEnvNames(loaded.config.alertmanager),
    ]),
  ];
}

/** Registers every secret value (and masks it under GitHub Actions); returns the names that held one. */
export function registerSecrets(
  loaded: LoadedConfig,
  env: Env,
  redactor: Redactor,
  write?: (text: string) => void,
): string[] {
  return registerEnvironmentSecrets(env, secretEnvNames(loaded), redactor, write ? { write } : {});
}

export interface KubernetesInput {
  loaded: LoadedConfig;
  flags: PortFlags;
  env: Env;
  clock: Clock;
  redactor: Redactor;
}

/** --kubeconfig beats the config, which beats KUBECONFIG; then client-node's defaults (in-cluster). */
export function kubeconfigPathOf(loaded: LoadedConfig, flags: PortFlags, env: Env) {
  const fromEnv = env.KUBECONFIG;
  // A KUBECONFIG list (a:b) is merged by client-node's default loader.
  const single = fromEnv && !fromEnv.includes(':') ? fromEnv : undefined;
  return flags.kubeconfig ?? loaded.paths.kubeconfig ?? single;
}

export function buildKubernetes(input: KubernetesInput): KubernetesAdapter {
  const { loaded, flags, env } = input;
  const kubeconfigPath = kubeconfigPathOf(loaded, flags, env);
  const context = flags.context ?? loaded.config.kubernetes.context;
  return createKubernetesAdapter({
    ...(kubeconfigPath ? { kubeconfigPath } : {}),
    ...(context ? { context } : {}),
    clock: input.clock,
    redactor: input.redactor,
  });
}

export function buildSecrets(loaded: LoadedConfig, env: Env, redactor: Redactor) {
  return new MachineConfigSecrets({
    sources: loaded.inventory.machineConfigs,
    env,
    sops: new SopsDecryptor({ redactor, env }),
    redactor,
    baseDir: loaded.dir,
  });
}

export interface BuildPortsInput {
  loaded: LoadedConfig;
  flags: PortFlags;
  env: Env;
  redactor: Redactor;
  reporter: Reporter;
  clock?: Clock;
}

export interface BuiltPorts {
  ports: Ports;
  journalFile: string;
  /** Removes plan files, closes watches and the journal. */
  dispose(): Promise<void>;
}

export function buildPorts(input: BuildPortsInput): BuiltPorts {
  const { loaded, flags, env, redactor } = input;
  const { config, paths } = loaded;
  const clock = input.clock ?? new SystemClock();
  // First: a missing hook program or auth variable is bad input before any adapter exists.
  const hooks = buildHookRunner(config.hooks, { redactor, cwd: loaded.dir, env });
  const silences = buildSilences(config.alertmanager, { redactor, env });
  const kubernetes = buildKubernetes({ loaded, flags, env, clock, redactor });
  const talosconfig = flags.talosconfig ?? paths.talosconfig ?? env.TALOSCONFIG;
  const endpoints =
    config.talos.endpoints.length > 0
      ? config.talos.endpoints
      : loaded.inventory.nodes.filter((n) => n.role === 'controlplane').map((n) => n.address);
  const talos = new TalosctlAdapter({
    ...(talosconfig ? { talosconfig } : {}),
    endpoints,
    redactor,
    env,
  });
  const infrastructure = new TerraformAdapter({
    workingDir: paths.terraformDir,
    lockTimeout: `${config.terraform.lockTimeoutSeconds}s`,
    vmResourceTypes: config.terraform.vmResourceTypes,
    redactor,
    env,
  });
  const journalFile = flags.journal ?? paths.journalFile;
  const local = new JsonlJournal(journalFile);
  const s3 = config.backup.s3;
  const connection = s3 && {
    bucket: s3.bucket,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    env,
    redactor,
  };
  const journal: JournalStore & { close?(): Promise<void> } =
    connection && config.journal.s3
      ? new MirroredJournal(
          local,
          new S3JournalStore({
            ...connection,
            key: `${s3.prefix}/${config.cluster}/journal/${basename(journalFile)}`,
          }),
        )
      : local;
  const stateBackup: StateBackupPort = connection
    ? prefixed(s3.prefix, new S3StateBackup({ ...connection, localCopyDir: paths.backupDir }))
    : NO_BACKUP;
  const usesCeph = loaded.inventory.nodes.some((n) => n.storage?.osd === true);
  const kubeconfigPath = kubeconfigPathOf(loaded, flags, env);
  const context = flags.context ?? config.kubernetes.context;
  const storage: StoragePort = usesCeph
    ? new RookCephStorage({
        namespace: config.gates.ceph.namespace,
        ...(kubeconfigPath ? { kubeconfig: kubeconfigPath } : {}),
        ...(context ? { context } : {}),
        redactor,
        env,
      })
    : NO_STORAGE;
  const ports: Ports = {
    clock,
    kubernetes,
    talos,
    infrastructure,
    stateBackup,
    secrets: buildSecrets(loaded, env, redactor),
    storage,
    journal,
    lock: new LeaseLock({
      kubernetes,
      clock,
      namespace: config.lock.namespace,
      name: config.lock.name,
    }),
    reporter: input.reporter,
    // Installer images are checked in their registry before the first node (engine/installer-images).
    registry: new OciRegistry(),
  };
  if (hooks) ports.hooks = hooks;
  if (silences) ports.silences = silences;
  return {
    ports,
    journalFile,
    dispose: async () => {
      await infrastructure.dispose();
      kubernetes.close();
      await journal.close?.();
    },
  };
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

/** A cluster without Ceph OSDs has no storage flags to set. */
const NO_STORAGE: StoragePort = {
  setNoout: async () => undefined,
  nooutDomains: async () => [],
};
