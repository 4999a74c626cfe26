/**
 * `drover diagnose`: after a failed upgrade, writes a bundle for whoever looks next: nodes,
 * pods not running or not ready, Ceph health, etcd members and status, the journal's tail and
 * the report, every secret the config names (and the usual ones) redacted. Reads only.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JsonlJournal } from '../../adapters/journal/index.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { TalosctlAdapter } from '../../adapters/talos/talosctl-adapter.js';
import { Redactor } from '../../core/redact.js';
import { loadConfig } from '../../app/config/load-config.js';
import { buildKubernetes, registerSecrets } from '../../app/upgrade/build-ports.js';
import { collectDiagnosis, diagnosisSummary } from './collect.js';
import type { DiagnoseBundle } from './collect.js';

export interface DiagnoseOptions {
  config: string;
  out: string;
  journal?: string;
  report?: string;
  kubeconfig?: string;
  talosconfig?: string;
  json?: boolean;
}

export async function diagnose(
  options: DiagnoseOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<{ dir: string; bundle: DiagnoseBundle; summary: string }> {
  const loaded = await loadConfig(options.config);
  const redactor = new Redactor();
  registerSecrets(loaded, env, redactor);
  const clock = new SystemClock();
  const kubernetes = buildKubernetes({
    loaded,
    flags: options.kubeconfig ? { kubeconfig: options.kubeconfig } : {},
    env,
    clock,
    redactor,
  });
  const controlPlane = loaded.inventory.nodes
    .filter((n) => n.role === 'controlplane')
    .map((n) => n.address);
  const talosconfig = options.talosconfig ?? loaded.paths.talosconfig ?? env.TALOSCONFIG;
  const talos = new TalosctlAdapter({
    ...(talosconfig ? { talosconfig } : {}),
    endpoints:
      loaded.config.talos.endpoints.length > 0 ? loaded.config.talos.endpoints : controlPlane,
    redactor,
    env,
  });
  try {
    const raw = await collectDiagnosis({
      cluster: loaded.config.cluster,
      kubernetes,
      talos,
      controlPlane,
      now: () => clock.now(),
      ...(options.journal
        ? { readJournal: () => new JsonlJournal(options.journal!).readAll() }
        : {}),
      ...(options.report
        ? { readReport: async () => JSON.parse(await readFile(options.report!, 'utf8')) as unknown }
        : {}),
    });
    const bundle = redactor.redactValue(raw);
    const summary = redactor.redact(diagnosisSummary(bundle));
    const dir = resolve(options.out);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'diagnose.json'), `${JSON.stringify(bundle, null, 2)}\n`, {
      mode: 0o600,
    });
    await writeFile(join(dir, 'summary.md'), summary, { mode: 0o600 });
    return { dir, bundle, summary };
  } finally {
    kubernetes.close();
  }
}

export async function runDiagnoseCommand(options: DiagnoseOptions): Promise<number> {
  const result = await diagnose(options);
  if (options.json) process.stdout.write(`${JSON.stringify(result.bundle, null, 2)}\n`);
  else
    process.stdout.write(`${result.summary}\nwrote ${result.dir}/diagnose.json and summary.md\n`);
  return 0;
}
