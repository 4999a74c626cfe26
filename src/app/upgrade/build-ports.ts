/**
 * Assembles the engine's ports for a real cluster from the loaded config, the command-line
 * flags and the (injected) environment. Secrets are registered with the one Redactor before
 * any adapter exists, so nothing an adapter says can carry them out unredacted.
 */
import { createKubernetesAdapter } from '../../adapters/kubernetes/index.js';
import type { KubernetesAdapter } from '../../adapters/kubernetes/index.js';
import { MachineConfigSecrets } from '../../adapters/secrets/machine-config-secrets.js';
import { registerEnvironmentSecrets } from '../../adapters/secrets/environment-secrets.js';
import { SopsDecryptor } from '../../adapters/sops/sops-decryptor.js';
import { RookCephStorage } from '../../adapters/storage/rook-ceph-storage.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { OciRegistry } from '../../adapters/registry/oci-registry.js';
import { TalosctlAdapter } from '../../adapters/talos/talosctl-adapter.js';
import { TerraformAdapter } from '../../adapters/terraform/terraform-adapter.js';
import type { Redactor } from '../../core/redact.js';
import { LeaseLock } from '../../adapters/kubernetes/lease-lock.js';
import type { Clock, Ports, Reporter, StoragePort } from '../../ports/index.js';
import type { LoadedConfig } from '../config/load-config.js';
import { alertmanagerSecretEnvNames, buildHookRunner, buildSilences } from './build-extras.js';
import { buildJournalAndBackup } from './build-journal-backup.js';

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
  const talos = buildTalos(loaded, flags, env, redactor);
  const infrastructure = new TerraformAdapter({
    workingDir: paths.terraformDir,
    lockTimeout: `${config.terraform.lockTimeoutSeconds}s`,
    vmResourceTypes: config.terraform.vmResourceTypes,
    redactor,
    env,
  });
  const journalFile = flags.journal ?? paths.journalFile;
  const { journal, stateBackup } = buildJournalAndBackup(loaded, journalFile, env, redactor);
  const storage = buildStorage(loaded, flags, env, redactor);
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

/** talosctl talks to the configured endpoints, or else to every control plane node. */
function buildTalos(loaded: LoadedConfig, flags: PortFlags, env: Env, redactor: Redactor) {
  const talosconfig = flags.talosconfig ?? loaded.paths.talosconfig ?? env.TALOSCONFIG;
  const endpoints =
    loaded.config.talos.endpoints.length > 0
      ? loaded.config.talos.endpoints
      : loaded.inventory.nodes.filter((n) => n.role === 'controlplane').map((n) => n.address);
  return new TalosctlAdapter({
    ...(talosconfig ? { talosconfig } : {}),
    endpoints,
    redactor,
    env,
  });
}

function buildStorage(
  loaded: LoadedConfig,
  flags: PortFlags,
  env: Env,
  redactor: Redactor,
): StoragePort {
  const usesCeph = loaded.inventory.nodes.some((n) => n.storage?.osd === true);
  if (!usesCeph) return NO_STORAGE;
  const kubeconfigPath = kubeconfigPathOf(loaded, flags, env);
  const context = flags.context ?? loaded.config.kubernetes.context;
  return new RookCephStorage({
    namespace: loaded.config.gates.ceph.namespace,
    ...(kubeconfigPath ? { kubeconfig: kubeconfigPath } : {}),
    ...(context ? { context } : {}),
    redactor,
    env,
  });
}

/** A cluster without Ceph OSDs has no storage flags to set. */
const NO_STORAGE: StoragePort = {
  setNoout: async () => undefined,
  nooutDomains: async () => [],
};
