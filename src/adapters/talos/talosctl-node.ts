/**
 * One node through talosctl: its server version, a probe of what answers at an address
 * (maintenance mode or configured), and applying a machine config through a secret file.
 */
import { DroverError } from '../../core/errors.js';
import type { TalosProbeResult } from '../../ports/talos.js';
import type { ExecResult } from '../exec/exec.js';
import { withSecretFile } from '../secrets/secret-file.js';
import { probeDecision } from './probe-decision.js';
import { firstLines, talosctlError } from './talos-errors.js';
import type { TalosctlRunner } from './talosctl-runner.js';
import { parseServerVersions } from './version-output.js';

export async function nodeVersion(talosctl: TalosctlRunner, node: string): Promise<string> {
  const result = await talosctl.run(
    ['version', ...talosctl.target(node)],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_VERSION_FAILED',
      'version',
      result.exitCode,
      result.stderr,
      'check that the node is up and the talosconfig is valid',
    );
  }
  const servers = parseServerVersions(result.stdout);
  const mine =
    servers.find((s) => s.node === node) ?? (servers.length === 1 ? servers[0] : undefined);
  if (!mine) {
    throw new DroverError(
      'failed',
      'TALOS_VERSION_UNKNOWN',
      `talosctl version printed no server version for ${node}: ${firstLines(result.stderr)}`,
      {
        hint: 'the node did not answer; check it is up',
      },
    );
  }
  return mine.tag;
}

/**
 * `talosctl read /proc/sys/kernel/random/boot_id`: the same source talosctl's upgrade tracker
 * compares before and after (getBootID in cmd/talosctl/pkg/talos/action/tracker.go, v1.10.9 /
 * v1.11.6). The file's bytes go to stdout unchanged (read.go): a UUID and a newline.
 */
export async function nodeBootId(talosctl: TalosctlRunner, node: string): Promise<string> {
  const result = await talosctl.run(
    ['read', ...talosctl.target(node), '/proc/sys/kernel/random/boot_id'],
    talosctl.timeouts.callMs,
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_BOOT_ID_FAILED',
      'read boot_id',
      result.exitCode,
      result.stderr,
      'check that the node is up and the talosconfig is valid',
    );
  }
  const bootId = result.stdout.trim();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(bootId)) {
    throw new DroverError(
      'failed',
      'TALOS_OUTPUT_UNEXPECTED',
      `unexpected talosctl read boot_id output: ${JSON.stringify(bootId.slice(0, 80))}`,
      { hint: 'check that the talosctl version is one Drover supports (1.10, 1.11)' },
    );
  }
  return bootId;
}

export async function probeAddress(
  talosctl: TalosctlRunner,
  address: string,
): Promise<TalosProbeResult> {
  const insecure = await talosctl.run(
    ['get', 'machinestatus', '--insecure', '-n', address, '-e', address, '-o', 'json'],
    talosctl.timeouts.probeMs,
  );
  const first = probeDecision.insecure(insecure.exitCode, insecure.stdout, insecure.stderr);
  if (first !== 'ask-mtls') return probeResult(first, insecure);
  const secure = await talosctl.run(
    ['version', '-n', address, '-e', address],
    talosctl.timeouts.probeMs,
  );
  return probeResult(probeDecision.mtls(secure.exitCode, secure.stderr), secure);
}

export async function applyConfig(
  talosctl: TalosctlRunner,
  address: string,
  config: string,
  options: { insecure: boolean; signal?: AbortSignal },
): Promise<void> {
  talosctl.options.redactor.add(config);
  const result = await withSecretFile(
    config,
    (file) =>
      talosctl.run(
        [
          'apply-config',
          ...(options.insecure
            ? ['--insecure', '-n', address, '-e', address]
            : talosctl.target(address)),
          '--file',
          file,
        ],
        talosctl.timeouts.applyConfigMs,
        options.signal,
      ),
    { name: 'machine-config.yaml' },
  );
  if (result.exitCode !== 0) {
    throw talosctlError(
      'TALOS_APPLY_CONFIG_FAILED',
      'apply-config',
      result.exitCode,
      result.stderr,
      options.insecure
        ? 'an --insecure apply needs the node in maintenance mode: probe it first (a configured node rejects it)'
        : 'check the machine config and that the node is up',
    );
  }
}

function probeResult(result: TalosProbeResult | 'error', run: ExecResult): TalosProbeResult {
  if (result !== 'error') return result;
  throw talosctlError(
    'TALOS_PROBE_FAILED',
    'probe',
    run.exitCode,
    run.stderr,
    'an answer Drover cannot classify is never taken as ready: check the address by hand',
  );
}
