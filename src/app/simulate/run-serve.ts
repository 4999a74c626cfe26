/**
 * `drover simulate --serve`: the simulated cluster (reference or --scenario) behind its fake
 * Kubernetes API server on 127.0.0.1 (TLS, since kubectl sends its token only over TLS), with a
 * kubeconfig, a drover.yaml and an env.sh written into a directory, so a newcomer can try
 * `kubectl get nodes`, `drover validate` and `drover upgrade --dry-run` without a cluster.
 * It serves until the signal aborts (Ctrl-C, SIGTERM), then closes the server and the cluster
 * and removes a directory it created itself. talosctl is not needed: validate and the dry run
 * read Kubernetes only.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createSimulatedCluster } from '../../adapters/simulated/index.js';
import { startFakeApiServer } from '../../adapters/simulated/kube/http/server.js';
import { DroverError } from '../../core/errors.js';
import { loadScenarioFile } from './simulate-scenario.js';
import {
  MACHINE_CONFIG_VARIABLES,
  placeholderMachineConfig,
  serveConfigFiles,
} from './serve-config.js';
import { makeServeTls } from './serve-tls.js';

export interface ServeOptions {
  /** Where to write; default a new temporary directory (removed on shutdown). */
  dir?: string;
  scenarioFile?: string;
  seed?: number;
  json: boolean;
  signal: AbortSignal;
}

export interface ServeIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What a user needs, also the --json document printed once the server listens. */
export interface ServeDocument {
  dir: string;
  server: string;
  kubeconfig: string;
  adminKubeconfig: string;
  config: string;
  env: string;
  commands: string[];
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

async function serveDirectory(dir: string | undefined): Promise<{ dir: string; created: boolean }> {
  if (dir === undefined)
    return { dir: await mkdtemp(join(tmpdir(), 'drover-serve-')), created: true };
  const absolute = resolve(dir);
  try {
    await mkdir(absolute);
    return { dir: absolute, created: false };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { dir: absolute, created: false };
    throw new DroverError('input', 'SERVE_DIR_INVALID', `cannot create ${absolute}`, {
      cause: error,
      hint:
        code === 'ENOENT'
          ? `Its parent ${dirname(absolute)} does not exist: create it first, or omit the directory for a temporary one.`
          : 'Give a directory you can write to, or omit it for a temporary one.',
    });
  }
}

export async function runServe(options: ServeOptions, io: ServeIo): Promise<number> {
  const scenario = await loadScenarioFile(options.scenarioFile);
  const seed = options.seed ?? scenario.seed ?? 1;
  const { dir, created } = await serveDirectory(options.dir);
  const cluster = await createSimulatedCluster({ scenario, seed });
  let server: Awaited<ReturnType<typeof startFakeApiServer>> | undefined;
  try {
    const tls = await makeServeTls(dir, options.signal);
    server = await startFakeApiServer({
      store: cluster.store,
      now: () => cluster.clock.now(),
      tls,
    });
    const doc = await writeServeFiles(dir, scenario, server);
    io.stderr(instructions(doc, created));
    if (options.json) io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
    await new Promise<void>((done) => {
      if (options.signal.aborted) return done();
      options.signal.addEventListener('abort', () => done(), { once: true });
    });
    io.stderr('Stopping the simulated cluster.\n');
    return 0;
  } finally {
    await server?.close();
    await cluster.close();
    if (created) await rm(dir, { recursive: true, force: true });
  }
}

async function writeServeFiles(
  dir: string,
  scenario: Parameters<typeof serveConfigFiles>[0],
  server: { kubeconfigYaml: string; adminKubeconfigYaml: string; url: string },
): Promise<ServeDocument> {
  const kubeconfig = join(dir, 'kubeconfig');
  const adminKubeconfig = join(dir, 'kubeconfig-admin');
  const config = join(dir, 'drover.yaml');
  const env = join(dir, 'env.sh');
  // Drover's identity: exactly the ClusterRole of docs/kubernetes.md; the admin one arranges.
  await writeFile(kubeconfig, server.kubeconfigYaml, { mode: 0o600 });
  await writeFile(adminKubeconfig, server.adminKubeconfigYaml, { mode: 0o600 });
  await mkdir(join(dir, 'patches'), { recursive: true });
  for (const file of serveConfigFiles(scenario, kubeconfig))
    await writeFile(join(dir, file.path), file.content);
  const exports = {
    KUBECONFIG: kubeconfig,
    DROVER_CONFIG: config,
    [MACHINE_CONFIG_VARIABLES.controlplane]: placeholderMachineConfig('controlplane'),
    [MACHINE_CONFIG_VARIABLES.worker]: placeholderMachineConfig('worker'),
  };
  await writeFile(
    env,
    Object.entries(exports)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const kind = scenario.upgrade.kind;
  const to = kind === 'kubernetes' ? scenario.upgrade.kubernetes.to : scenario.upgrade.talos.to;
  // The scenario's own upgrade, as `drover simulate` would run it.
  return {
    dir,
    server: server.url,
    kubeconfig,
    adminKubeconfig,
    config,
    env,
    commands: [
      `. ${shellQuote(env)}`,
      'kubectl get nodes',
      'drover validate',
      `drover upgrade ${kind} --to ${to ?? '<version>'} --dry-run`,
    ],
  };
}

function instructions(doc: ServeDocument, created: boolean): string {
  return [
    `The simulated cluster serves its Kubernetes API at ${doc.server}.`,
    `Files in ${doc.dir}:`,
    `  kubeconfig        Drover's identity (the ClusterRole of docs/kubernetes.md)`,
    `  kubeconfig-admin  cluster-admin, to look around or change the world`,
    `  drover.yaml       the cluster as Drover's config (DROVER_CONFIG)`,
    `  env.sh            KUBECONFIG, DROVER_CONFIG and placeholder machine configs`,
    '',
    'In another shell, try:',
    ...doc.commands.map((c) => `  ${c}`),
    '',
    '(`drover` is this command: npx drover, or node dist/cli.js in a checkout. These commands',
    'read Kubernetes only: no talosctl, terraform or S3 is needed.)',
    `Press Ctrl-C to stop${created ? ' (the directory is removed)' : ''}.`,
    '',
  ].join('\n');
}
