/**
 * TalosPort over talosctl, through the exec chokepoint. talosctl exits only 0 or 1, reports
 * per-node failures of multi-node calls as a `WARNING:` list with exit 0, prints etcd tables
 * only as text and upgrade progress only on stderr (shared/reference/talosctl-behaviour.md).
 */
import { access } from 'node:fs/promises';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type {
  EtcdMember,
  EtcdMemberStatus,
  KubernetesUpgradeOptions,
  TalosPort,
  TalosProbeResult,
  TalosUpgradeOptions,
} from '../../ports/talos.js';
import { exec, type ExecResult } from '../exec/exec.js';
import { withSecretFile } from '../secrets/secret-file.js';
import { parseMultiNodeErrors } from './multi-node-errors.js';
import { probeDecision } from './probe-decision.js';
import { firstLines, talosctlError } from './talos-errors.js';
import { parseTextTable } from './text-table.js';
import { parseProgressLine, summariseProgress, type UpgradeProgress } from './upgrade-progress.js';
import { parseServerVersions } from './version-output.js';

export interface TalosctlTimeouts {
  /** Reads: version, etcd, get. */
  callMs: number;
  /** A probe of a possibly absent address: short. */
  probeMs: number;
  applyConfigMs: number;
  /** Extra time on top of the upgrade's own --timeout before we kill talosctl. */
  upgradeGraceMs: number;
  upgradeKubernetesMs: number;
}

export interface TalosctlAdapterOptions {
  binary?: string;
  /** --talosconfig; when absent talosctl reads $TALOSCONFIG (from `env` or the process). */
  talosconfig?: string;
  /** -e for calls that go through the cluster's endpoints; when absent, the talosconfig's. */
  endpoints?: string[];
  timeouts?: Partial<TalosctlTimeouts>;
  redactor: Redactor;
  env?: Record<string, string | undefined>;
  onProgress?: (event: UpgradeProgress) => void;
}

const DEFAULT_TIMEOUTS: TalosctlTimeouts = {
  callMs: 60_000,
  probeMs: 15_000,
  applyConfigMs: 120_000,
  upgradeGraceMs: 60_000,
  upgradeKubernetesMs: 60 * 60_000,
};

const MEMBER_ID = /^[0-9a-f]{16}$/;

export class TalosctlAdapter implements TalosPort {
  private readonly binary: string;
  private readonly timeouts: TalosctlTimeouts;
  private talosconfigChecked = false;

  constructor(private readonly options: TalosctlAdapterOptions) {
    this.binary = options.binary ?? 'talosctl';
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  async version(node: string): Promise<string> {
    const result = await this.run(['version', ...this.target(node)], this.timeouts.callMs);
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
          details: { transient: true },
        },
      );
    }
    return mine.tag;
  }

  async etcdMembers(node: string): Promise<EtcdMember[]> {
    const result = await this.run(['etcd', 'members', ...this.target(node)], this.timeouts.callMs);
    if (result.exitCode !== 0) {
      throw talosctlError(
        'TALOS_ETCD_MEMBERS_FAILED',
        'etcd members',
        result.exitCode,
        result.stderr,
        'query another healthy control plane node',
      );
    }
    const { columns, rows } = parseTextTable(result.stdout);
    requireColumns(columns, ['ID', 'HOSTNAME', 'LEARNER'], 'etcd members');
    return rows.map((row) => {
      const id = row.ID ?? '';
      if (!MEMBER_ID.test(id))
        throw unexpected('etcd members', `member id ${JSON.stringify(id)} is not 16 hex digits`);
      return { id, hostname: row.HOSTNAME ?? '', learner: row.LEARNER === 'true' };
    });
  }

  async etcdStatus(nodes: string[]): Promise<EtcdMemberStatus[]> {
    if (nodes.length === 0) return [];
    const result = await this.run(
      ['etcd', 'status', ...this.target(nodes.join(','))],
      this.timeouts.callMs,
    );
    const errors = parseMultiNodeErrors(result.stderr, nodes);
    if (result.exitCode !== 0 && !nodes.every((n) => errors.byNode.has(n))) {
      // Not a per-node failure (bad talosconfig, unknown flag): the health is unknown, not "unhealthy".
      throw talosctlError(
        'TALOS_ETCD_STATUS_FAILED',
        'etcd status',
        result.exitCode,
        result.stderr,
        'check the talosconfig and the endpoints',
      );
    }
    const rows = result.exitCode === 0 ? parseTextTable(result.stdout) : { columns: [], rows: [] };
    if (result.exitCode === 0)
      requireColumns(rows.columns, ['NODE', 'MEMBER', 'ERRORS'], 'etcd status');
    return nodes.map((node): EtcdMemberStatus => {
      const row = rows.rows.find((r) => r.NODE === node);
      if (row) {
        const memberId = row.MEMBER ?? '';
        const rowError = row.ERRORS ?? '';
        const status: EtcdMemberStatus = {
          node,
          memberId,
          healthy: rowError === '' && MEMBER_ID.test(memberId),
        };
        if (rowError) status.error = rowError;
        return status;
      }
      return {
        node,
        memberId: '',
        healthy: false,
        error: errors.byNode.get(node) ?? 'no status row in the reply',
      };
    });
  }

  async etcdLeave(node: string): Promise<void> {
    const result = await this.run(['etcd', 'leave', ...this.target(node)], this.timeouts.callMs);
    if (result.exitCode !== 0) {
      throw talosctlError(
        'TALOS_ETCD_LEAVE_FAILED',
        'etcd leave',
        result.exitCode,
        result.stderr,
        'if the node is unreachable, remove its member from a healthy control plane node instead (etcd remove-member)',
      );
    }
  }

  /** Idempotent: a member that is already gone (`member not found`) counts as removed. */
  async etcdRemoveMember(viaNode: string, memberId: string): Promise<void> {
    if (!MEMBER_ID.test(memberId)) {
      throw new DroverError(
        'input',
        'TALOS_MEMBER_ID_INVALID',
        `etcd member id ${JSON.stringify(memberId)} is not 16 hex digits`,
        {
          hint: 'take the id from `talosctl etcd members`',
        },
      );
    }
    const result = await this.run(
      ['etcd', 'remove-member', ...this.target(viaNode), memberId],
      this.timeouts.callMs,
    );
    if (result.exitCode === 0 || /member not found/.test(result.stderr)) return;
    throw talosctlError(
      'TALOS_ETCD_REMOVE_FAILED',
      'etcd remove-member',
      result.exitCode,
      result.stderr,
      'run it through another healthy control plane node',
    );
  }

  async probe(address: string): Promise<TalosProbeResult> {
    const insecure = await this.run(
      ['get', 'machinestatus', '--insecure', '-n', address, '-e', address, '-o', 'json'],
      this.timeouts.probeMs,
    );
    const first = probeDecision.insecure(insecure.exitCode, insecure.stdout, insecure.stderr);
    if (first !== 'ask-mtls') return this.probeResult(first, insecure);
    const secure = await this.run(['version', '-n', address, '-e', address], this.timeouts.probeMs);
    return this.probeResult(probeDecision.mtls(secure.exitCode, secure.stderr), secure);
  }

  async applyConfig(
    address: string,
    config: string,
    options: { insecure: boolean; signal?: AbortSignal },
  ): Promise<void> {
    this.options.redactor.add(config);
    const result = await withSecretFile(
      config,
      (file) =>
        this.run(
          [
            'apply-config',
            ...(options.insecure
              ? ['--insecure', '-n', address, '-e', address]
              : this.target(address)),
            '--file',
            file,
          ],
          this.timeouts.applyConfigMs,
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

  /**
   * `-e NODE`: tracking reconnects to the node itself through its reboot (a VIP endpoint can
   * hang it, talos#11830). A failure may come after the node did upgrade: check version().
   */
  async upgrade(node: string, options: TalosUpgradeOptions): Promise<void> {
    const args = [
      'upgrade',
      '-n',
      node,
      '-e',
      node,
      '--image',
      options.image,
      '--wait',
      '--timeout',
      `${options.timeoutSeconds}s`,
    ];
    if (options.stage) args.push('--stage');
    if (options.rebootMode && options.rebootMode !== 'default')
      args.push('--reboot-mode', options.rebootMode);
    const progress: UpgradeProgress[] = [];
    let buffer = '';
    const result = await this.run(
      args,
      options.timeoutSeconds * 1000 + this.timeouts.upgradeGraceMs,
      options.signal,
      (stream, chunk) => {
        if (stream !== 'stderr') return;
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          const event = parseProgressLine(line);
          if (!event) continue;
          progress.push(event);
          this.options.onProgress?.(event);
        }
      },
    );
    if (result.exitCode === 0) return;
    const summary = summariseProgress(progress);
    const refused =
      progress.find((p) => p.node === node && /^rpc error: /.test(p.message)) ??
      refusalFrom(result.stderr, node);
    throw talosctlError(
      refused ? 'TALOS_UPGRADE_REJECTED' : 'TALOS_UPGRADE_FAILED',
      'upgrade',
      result.exitCode,
      result.stderr,
      refused
        ? 'the node refused the upgrade before starting it; fix the cause named above'
        : 'the connection may have dropped during the reboot and the node may have upgraded anyway: check its version before retrying',
      { progress: summary, ...(refused ? { transient: false } : {}) },
    );
  }

  async upgradeKubernetes(options: KubernetesUpgradeOptions): Promise<string> {
    const args = ['upgrade-k8s', ...this.target(options.node), '--to', options.to];
    if (options.from) args.push('--from', options.from);
    if (options.dryRun) args.push('--dry-run');
    const result = await this.run(
      args,
      this.timeouts.upgradeKubernetesMs,
      options.signal,
      (stream, chunk) => {
        if (stream !== 'stdout') return;
        for (const line of chunk.split('\n'))
          if (line.trim()) this.options.onProgress?.({ node: options.node, message: line.trim() });
      },
    );
    if (result.exitCode === 0) return result.stdout;
    const text = `${result.stderr}\n${result.stdout}`;
    const path = /unsupported upgrade path [^\n]*/.exec(text);
    if (path) {
      throw new DroverError(
        'refused',
        'TALOS_K8S_UPGRADE_PATH',
        `talosctl upgrade-k8s refused: ${path[0].trim()}`,
        {
          hint: 'upgrade Kubernetes one minor at a time (same minor or +1), and never down',
        },
      );
    }
    const compat = /compatibility check failed[^\n]*/.exec(text);
    if (compat) {
      throw new DroverError(
        'refused',
        'TALOS_K8S_INCOMPATIBLE',
        `talosctl upgrade-k8s refused: ${compat[0].trim()}`,
        {
          hint: 'the target Kubernetes version is outside what the running Talos supports: upgrade Talos first',
        },
      );
    }
    throw talosctlError(
      'TALOS_K8S_UPGRADE_FAILED',
      'upgrade-k8s',
      result.exitCode,
      result.stderr || result.stdout,
      're-running is safe: components already at the target are skipped',
    );
  }

  private probeResult(result: TalosProbeResult | 'error', run: ExecResult): TalosProbeResult {
    if (result !== 'error') return result;
    throw talosctlError(
      'TALOS_PROBE_FAILED',
      'probe',
      run.exitCode,
      run.stderr,
      'an answer Drover cannot classify is never taken as ready: check the address by hand',
    );
  }

  private target(nodes: string): string[] {
    const endpoints = this.options.endpoints ?? [];
    return ['-n', nodes, ...(endpoints.length > 0 ? ['-e', endpoints.join(',')] : [])];
  }

  private async run(
    args: string[],
    timeoutMs: number,
    signal?: AbortSignal,
    onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<ExecResult> {
    await this.checkTalosconfig();
    const global = this.options.talosconfig ? ['--talosconfig', this.options.talosconfig] : [];
    return exec({
      file: this.binary,
      args: [...global, ...args],
      timeoutMs,
      signal,
      redactor: this.options.redactor,
      // Plain lines, no ANSI redraws: talosctl colours only on a TTY, NO_COLOR covers the rest.
      env: { NO_COLOR: '1', ...this.options.env },
      onOutput,
    });
  }

  /** talosctl creates a missing explicit --talosconfig empty and then fails obscurely: check first. */
  private async checkTalosconfig(): Promise<void> {
    if (this.talosconfigChecked || !this.options.talosconfig) return;
    try {
      await access(this.options.talosconfig);
    } catch (cause) {
      throw new DroverError(
        'input',
        'TALOSCONFIG_MISSING',
        `talosconfig ${this.options.talosconfig} does not exist`,
        {
          cause,
          hint: "point --talosconfig or TALOSCONFIG at the cluster's talosconfig",
        },
      );
    }
    this.talosconfigChecked = true;
  }
}

function refusalFrom(stderr: string, node: string): UpgradeProgress | undefined {
  for (const line of stderr.split('\n')) {
    const p = parseProgressLine(line);
    if (p && p.node === node && /^rpc error: /.test(p.message)) return p;
  }
  return undefined;
}

function requireColumns(columns: string[], needed: string[], what: string): void {
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length > 0)
    throw unexpected(
      what,
      `the table has no ${missing.join(', ')} column (header: ${columns.join(' | ') || 'none'})`,
    );
}

function unexpected(what: string, detail: string): DroverError {
  return new DroverError(
    'failed',
    'TALOS_OUTPUT_UNEXPECTED',
    `unexpected talosctl ${what} output: ${detail}`,
    {
      hint: 'check that the talosctl version is one Drover supports (1.10, 1.11)',
    },
  );
}
