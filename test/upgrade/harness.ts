/**
 * The reference world behind the fake Kubernetes API server, a temporary copy of
 * examples/drover.yaml pointed at it, and `drover upgrade` / `validate` run in this process
 * with their output captured.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSimulatedCluster, referenceScenario } from '../../src/adapters/simulated/index.js';
import type { SimulatedCluster } from '../../src/adapters/simulated/index.js';
import { startFakeApiServer } from '../../src/adapters/simulated/kube/http/server.js';
import type { FakeApiServer } from '../../src/adapters/simulated/kube/http/server.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { validateCommand } from '../../src/cli/upgrade/run-validate-command.js';
import type { ValidateOptions } from '../../src/app/upgrade/execute-validate.js';
import type { Clock } from '../../src/ports/clock.js';
import type { UpgradeOptions } from '../../src/app/upgrade/upgrade-input.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');

export interface World {
  dir: string;
  cluster: SimulatedCluster;
  server: FakeApiServer;
  kubeconfig: string;
  config: string;
  close(): Promise<void>;
}

/**
 * examples/drover.yaml with both machine configs from variables and its files in `dir`, and the
 * installer image lookup off (preflight.installerImages: skip).
 */
export function writeConfig(dir: string, edit: (text: string) => string = (t) => t): string {
  cpSync(join(EXAMPLES, 'patches'), join(dir, 'patches'), { recursive: true });
  const text = readFileSync(join(EXAMPLES, 'drover.yaml'), 'utf8')
    .replace(
      'controlplane: { sops: talos/clusterconfig/controlplane.sops.yaml }',
      'controlplane: { envBase64: TALOS_CONTROLPLANE_CONFIG_B64 }',
    )
    .replace('localDir: /var/lib/drover/backups', 'localDir: backups')
    .replace('file: /var/lib/drover/journal.jsonl', 'file: journal.jsonl')
    // Tests never reach the Image Factory: the lookup is off unless a test turns it on against
    // its loopback registry (--installer-images check).
    .concat('\npreflight:\n  installerImages: skip\n');
  const file = join(dir, 'drover.yaml');
  writeFileSync(file, edit(text));
  return file;
}

export async function startWorld(edit?: (text: string) => string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'drover-upgrade-'));
  const cluster = await createSimulatedCluster({ scenario: referenceScenario(), seed: 1 });
  const server = await startFakeApiServer({ store: cluster.store, now: () => cluster.clock.now() });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfigYaml, { mode: 0o600 });
  return {
    dir,
    cluster,
    server,
    kubeconfig,
    config: writeConfig(dir, edit),
    close: async () => {
      await server.close();
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Machine configs as CI secrets carry them: base64 of the YAML, with secret material inside. */
export function machineConfigSecrets(): { env: Record<string, string>; values: string[] } {
  const inner = {
    worker: ['wk-token-4f1c9e0b7a2d4c6e', 'wk-ca-crt-LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0t'],
    controlplane: ['cp-token-9a8b7c6d5e4f3a2b', 'cp-secretbox-Zm9vYmFyYmF6cXV4cXV1eA'],
  };
  const yaml = (token: string, crt: string, type: string) =>
    `version: v1alpha1\nmachine:\n  type: ${type}\n  token: ${token}\n  ca:\n    crt: ${crt}\ncluster:\n  secret: ${crt}-cluster\n`;
  const worker = Buffer.from(yaml(inner.worker[0]!, inner.worker[1]!, 'worker')).toString('base64');
  const controlplane = Buffer.from(
    yaml(inner.controlplane[0]!, inner.controlplane[1]!, 'controlplane'),
  ).toString('base64');
  const env = {
    TALOS_WORKER_CONFIG_B64: worker,
    TALOS_CONTROLPLANE_CONFIG_B64: controlplane,
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEDROVER0001',
    AWS_SECRET_ACCESS_KEY: 'aws-secret-wJalrXUtnFEMI-K7MDENG-bPxRfiCY',
    SOPS_AGE_KEY: 'AGE-SECRET-KEY-1QQQDROVERTESTKEY0000000000000000000000000000000',
  };
  return {
    env,
    values: [
      ...Object.values(env),
      ...inner.worker,
      ...inner.controlplane,
      `${inner.worker[1]}-cluster`,
      `${inner.controlplane[1]}-cluster`,
    ],
  };
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function upgrade(
  kind: string,
  options: Partial<UpgradeOptions> & Pick<UpgradeOptions, 'config' | 'to'>,
  env: Record<string, string | undefined> = {},
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await upgradeCommand(
    kind,
    { dryRun: false, resume: false, json: false, ...options },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env,
      reporter: { event: () => undefined, flush: async () => undefined },
    },
  );
  return { code, stdout, stderr };
}

/** `upgrade cattle --to 1.11.0 --dry-run --json` against the world's fake API server. */
export function dryRun(
  world: World,
  env: Record<string, string | undefined>,
  extra: Partial<UpgradeOptions> = {},
): Promise<Captured> {
  return upgrade(
    'cattle',
    {
      config: world.config,
      to: '1.11.0',
      dryRun: true,
      json: true,
      kubeconfig: world.kubeconfig,
      ...extra,
    },
    env,
  );
}

export async function validate(
  options: Partial<ValidateOptions> & Pick<ValidateOptions, 'config'>,
  env: Record<string, string | undefined> = {},
  clock?: Clock,
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await validateCommand(
    { json: false, ...options },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env,
      ...(clock ? { clock } : {}),
    },
  );
  return { code, stdout, stderr };
}

/** Every secret value found in any of the texts, with where. */
export function findLeaks(texts: Record<string, string>, secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(texts))
    for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: ${secret}`);
  return leaks;
}

/** Real time, but retries and backoffs do not wait (for tests of unreachable servers). */
export const impatientClock: Clock = { now: () => Date.now(), sleep: async () => undefined };

/** Real time plus whatever the run slept: deadlines and backoffs pass at once. */
export function skippingClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      offset += ms;
    },
  };
}
