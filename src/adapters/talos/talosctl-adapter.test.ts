import { afterEach, describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { StandInScenario, STAND_INS, type StandInCall } from '../../../test/stand-ins/scenario.js';
import { TalosctlAdapter } from './talosctl-adapter.js';
import type { UpgradeProgress } from './upgrade-progress.js';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const CP = ['10.0.0.11', '10.0.0.12', '10.0.0.13'];
const VERSIONS = ['v1.10', 'v1.11'] as const;
let scenario: StandInScenario | undefined;

async function adapterFor(calls: StandInCall[], progress: UpgradeProgress[] = []) {
  scenario = await StandInScenario.create(calls);
  const redactor = new Redactor();
  const adapter = new TalosctlAdapter({
    binary: `${STAND_INS}/talosctl`,
    redactor,
    env: { TALOSCTL_STANDIN_SCRIPT: scenario.path },
    onProgress: (e) => progress.push(e),
  });
  return { adapter, redactor, scenario };
}

async function expectAllCallsMade(count: number) {
  const log = await scenario!.log();
  expect(log.filter((e) => e.error)).toEqual([]);
  expect(log).toHaveLength(count);
}

afterEach(async () => {
  await scenario?.dispose();
  scenario = undefined;
});

describe.each(VERSIONS)('TalosctlAdapter against talosctl %s output', (v) => {
  it('reads the server version of one node', async () => {
    const { adapter } = await adapterFor([
      { expectArgs: ['version', '-n', '10.0.0.21'], stdoutFile: `talosctl/${v}/version.txt` },
    ]);
    expect(await adapter.version('10.0.0.21')).toBe(v === 'v1.10' ? '1.10.8' : '1.11.0');
    await expectAllCallsMade(1);
  });

  it('reads etcd members from the text table with 16-hex ids', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'members', '-n', '10.0.0.11'],
        stdoutFile: `talosctl/${v}/etcd-members.txt`,
      },
    ]);
    expect(await adapter.etcdMembers('10.0.0.11')).toEqual([
      { id: '8a3b0c1d2e3f4a5b', hostname: 'k8s-ctrl-1', learner: false },
      { id: '1c2d3e4f5a6b7c8d', hostname: 'k8s-ctrl-2', learner: false },
      { id: '0f1e2d3c4b5a6978', hostname: 'k8s-ctrl-3', learner: false },
    ]);
  });

  it('reads etcd status of every node in one call, by column name', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'status', '-n', CP.join(',')],
        stdoutFile: `talosctl/${v}/etcd-status.txt`,
      },
    ]);
    const status = await adapter.etcdStatus(CP);
    expect(status.map((s) => [s.node, s.memberId, s.healthy])).toEqual([
      ['10.0.0.11', '8a3b0c1d2e3f4a5b', true],
      ['10.0.0.12', '1c2d3e4f5a6b7c8d', true],
      ['10.0.0.13', '0f1e2d3c4b5a6978', true],
    ]);
    // The LEADER column: where leadership must be moved from before a member leaves.
    expect(status.every((s) => s.leaderId === '8a3b0c1d2e3f4a5b')).toBe(true);
    // 1.11's extra PROTOCOL/STORAGE columns must not be read as ERRORS.
    expect(status.every((s) => s.error === undefined)).toBe(true);
  });

  it('marks a member with an ERRORS cell unhealthy', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'status', '-n', CP.join(',')],
        stdoutFile: `talosctl/${v}/etcd-status-alarm.txt`,
      },
    ]);
    const status = await adapter.etcdStatus(CP);
    expect(status[1]).toEqual({
      node: '10.0.0.12',
      memberId: '1c2d3e4f5a6b7c8d',
      healthy: false,
      error: 'etcdserver: mvcc: database space exceeded',
      leaderId: '8a3b0c1d2e3f4a5b',
    });
    expect(status[0]?.healthy).toBe(true);
  });

  it('WARNING with exit 0: the failing node is unhealthy with its error, the others are read', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'status', '-n', CP.join(',')],
        stdoutFile: `talosctl/${v}/etcd-status-partial.txt`,
        stderrFile: `talosctl/${v}/etcd-status-partial.stderr`,
        exitCode: 0,
      },
    ]);
    const status = await adapter.etcdStatus(CP);
    expect(status.map((s) => s.healthy)).toEqual([true, true, false]);
    expect(status[2]?.error).toMatch(/^rpc error: code = Unavailable .*connection refused/);
    expect(status[2]?.memberId).toBe('');
  });

  it('all nodes failing (exit 1): every node unhealthy with its own error', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'status', '-n', CP.join(',')],
        stderrFile: `talosctl/${v}/etcd-status-all-failed.stderr`,
        exitCode: 1,
      },
    ]);
    const status = await adapter.etcdStatus(CP);
    expect(status.map((s) => s.healthy)).toEqual([false, false, false]);
    expect(status.map((s) => s.error?.includes(`dial tcp ${s.node}:50000`))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it('probe: a fresh VM in maintenance mode answers the insecure read', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'get',
          'machinestatus',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '-o',
          'json',
        ],
        stdoutFile: `talosctl/${v}/machinestatus-maintenance.stdout`,
      },
    ]);
    expect(await adapter.probe('10.0.0.21')).toBe('maintenance');
    await expectAllCallsMade(1);
  });

  it('probe: a configured node rejects insecure and answers mTLS', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'get',
          'machinestatus',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '-o',
          'json',
        ],
        stderrFile: `talosctl/${v}/get-insecure-configured.stderr`,
        exitCode: 1,
      },
      {
        expectArgs: ['version', '-n', '10.0.0.21', '-e', '10.0.0.21'],
        stdoutFile: `talosctl/${v}/version.txt`,
      },
    ]);
    expect(await adapter.probe('10.0.0.21')).toBe('configured');
    await expectAllCallsMade(2);
  });

  it('probe: a configured Talos of another PKI answers x509 to mTLS', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'get',
          'machinestatus',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '-o',
          'json',
        ],
        stderrFile: `talosctl/${v}/get-insecure-configured.stderr`,
        exitCode: 1,
      },
      {
        expectArgs: ['version', '-n', '10.0.0.21', '-e', '10.0.0.21'],
        stderrFile: `talosctl/${v}/version-x509.stderr`,
        exitCode: 1,
      },
    ]);
    expect(await adapter.probe('10.0.0.21')).toBe('x509');
  });

  it('probe: connection refused while the VM boots is unreachable', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'get',
          'machinestatus',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '-o',
          'json',
        ],
        stderrFile: `talosctl/${v}/get-insecure-unreachable.stderr`,
        exitCode: 1,
      },
    ]);
    expect(await adapter.probe('10.0.0.21')).toBe('unreachable');
  });

  it('upgrade --wait: progress lines from stderr, exit 0', async () => {
    const progress: UpgradeProgress[] = [];
    const { adapter } = await adapterFor(
      [
        {
          expectArgs: [
            'upgrade',
            '-n',
            '10.0.0.21',
            '-e',
            '10.0.0.21',
            '--image',
            'factory.talos.dev/nocloud-installer/abc:v1.11.0',
            '--wait',
            '--timeout',
            '900s',
          ],
          stderrFile: `talosctl/${v}/upgrade-wait.stderr`,
        },
      ],
      progress,
    );
    await adapter.upgrade('10.0.0.21', {
      image: 'factory.talos.dev/nocloud-installer/abc:v1.11.0',
      timeoutSeconds: 900,
    });
    expect(progress.map((p) => p.message)).toContain('post check passed');
    expect(progress.every((p) => p.node === '10.0.0.21')).toBe(true);
  });

  it('upgrade: a connection drop during the reboot exits 1, transient, and says to check the version', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'upgrade',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '--image',
          'img:v1',
          '--wait',
          '--timeout',
          '60s',
          '--stage',
          '--reboot-mode',
          'powercycle',
        ],
        stderrFile: `talosctl/${v}/upgrade-connection-drop.stderr`,
        exitCode: 1,
      },
    ]);
    const error = (await adapter
      .upgrade('10.0.0.21', {
        image: 'img:v1',
        timeoutSeconds: 60,
        stage: true,
        rebootMode: 'powercycle',
      })
      .catch((e: unknown) => e)) as DroverError;
    expect(error).toBeInstanceOf(DroverError);
    expect(error.code).toBe('TALOS_UPGRADE_UNREACHABLE');
    expect(error.retryable).toBe(true);
    expect(error.details?.unreachable).toBe(true);
    expect(error.details?.progress).toMatchObject({
      started: true,
      rebooting: true,
      postCheckPassed: false,
    });
    expect(error.hint).toMatch(/version and boot ID/);
  });

  it.each([
    [
      'an rpc Unavailable line (boot-ID read or Upgrade call could not reach it)',
      'upgrade-unavailable',
    ],
    ['a stream that ends in "unavailable, retrying..." (never came back)', 'upgrade-never-back'],
  ])('upgrade: %s is unreachable, not a refusal', async (_what, fixture) => {
    const { adapter } = await adapterFor([
      {
        expectArgs: upgradeArgs('img:v1', '60s'),
        stderrFile: `talosctl/${v}/${fixture}.stderr`,
        exitCode: 1,
      },
    ]);
    await expect(
      adapter.upgrade('10.0.0.21', { image: 'img:v1', timeoutSeconds: 60 }),
    ).rejects.toMatchObject({
      code: 'TALOS_UPGRADE_UNREACHABLE',
      retryable: true,
      details: { unreachable: true },
      hint: expect.stringMatching(/never upgrade it again blindly/),
    });
  });

  it('reads the boot ID as talosctl tracks reboots, and forfeits etcd leadership', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['read', '-n', '10.0.0.21', '/proc/sys/kernel/random/boot_id'],
        stdoutFile: `talosctl/${v}/boot-id.stdout`,
      },
      { expectArgs: ['etcd', 'forfeit-leadership', '-n', '10.0.0.11'] },
    ]);
    expect(await adapter.bootId('10.0.0.21')).toBe('0b9d4c1e-3f2a-4d6b-8e7f-1a2b3c4d5e6f');
    await adapter.etcdForfeitLeadership('10.0.0.11');
    await expectAllCallsMade(2);
  });

  it('pulls an image into the system namespace (silent on success), and fails as talosctl does', async () => {
    const image = 'factory.talos.dev/nocloud-installer/abc:v1.99.0';
    const { adapter } = await adapterFor([
      { expectArgs: ['image', 'pull', '--namespace', 'system', '-n', '10.0.0.21', image] },
      {
        expectArgs: ['image', 'pull', '--namespace', 'system', '-n', '10.0.0.21', image],
        stderrFile: `talosctl/${v}/image-pull-not-found.stderr`,
        exitCode: 1,
      },
    ]);
    await adapter.pullImage('10.0.0.21', image);
    await expect(adapter.pullImage('10.0.0.21', image)).rejects.toMatchObject({
      code: 'TALOS_IMAGE_PULL',
      message: expect.stringContaining('error pulling image: 1 error occurred'),
    });
    await expectAllCallsMade(2);
  });

  it('upgrade: a synchronous refusal (etcd quorum) is not transient', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'upgrade',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '--image',
          'img:v1',
          '--wait',
          '--timeout',
          '60s',
        ],
        stderrFile: `talosctl/${v}/upgrade-rejected-quorum.stderr`,
        exitCode: 1,
      },
    ]);
    await expect(
      adapter.upgrade('10.0.0.21', { image: 'img:v1', timeoutSeconds: 60, rebootMode: 'default' }),
    ).rejects.toMatchObject({
      code: 'TALOS_UPGRADE_REJECTED',
      retryable: false,
      message: expect.stringMatching(/insufficient to maintain quorum/),
    });
  });

  it('upgrade-k8s: returns stdout progress; dry run passes --dry-run', async () => {
    const to = v === 'v1.10' ? '1.33.6' : '1.34.1';
    const progress: UpgradeProgress[] = [];
    const { adapter } = await adapterFor(
      [
        {
          expectArgs: ['upgrade-k8s', '-n', '10.0.0.11', '--to', to, '--dry-run'],
          stdoutFile: `talosctl/${v}/upgrade-k8s-dry-run.stdout`,
        },
        {
          expectArgs: ['upgrade-k8s', '-n', '10.0.0.11', '--to', to, '--from', '1.33.5'],
          stdoutFile: `talosctl/${v}/upgrade-k8s.stdout`,
        },
      ],
      progress,
    );
    expect(await adapter.upgradeKubernetes({ node: '10.0.0.11', to, dryRun: true })).toMatch(
      /skipped in dry-run/,
    );
    const out = await adapter.upgradeKubernetes({
      node: '10.0.0.11',
      to,
      from: '1.33.5',
      dryRun: false,
    });
    expect(out).toMatch(/successfully updated/);
    expect(progress.some((p) => /updating "kube-apiserver"/.test(p.message))).toBe(true);
    await expectAllCallsMade(2);
  });

  it('upgrade-k8s: removed APIs still in use are a user action, listed, never "re-running is safe"', async () => {
    const to = v === 'v1.10' ? '1.32.9' : '1.34.1';
    const progress: UpgradeProgress[] = [];
    const { adapter } = await adapterFor(
      [
        {
          expectArgs: ['upgrade-k8s', '-n', '10.0.0.11', '--to', to, '--dry-run'],
          stdoutFile: `talosctl/${v}/upgrade-k8s-removed.stdout`,
          stderrFile: `talosctl/${v}/upgrade-k8s-removed.stderr`,
          exitCode: 1,
        },
      ],
      progress,
    );
    const error = (await adapter
      .upgradeKubernetes({ node: '10.0.0.11', to, dryRun: true })
      .catch((e: unknown) => e)) as DroverError;
    expect(error).toBeInstanceOf(DroverError);
    expect(error.category).toBe('refused');
    expect(error.code).toBe('TALOS_K8S_REMOVED_APIS');
    expect(error.hint).not.toMatch(/re-running is safe/);
    expect(error.hint).toMatch(/migrate/);
    if (v === 'v1.10')
      expect(error.message).toMatch(/2 podschedulingcontexts\.v1alpha3\.resource\.k8s\.io object/);
    else {
      expect(error.message).toMatch(
        /feature gate PodDisruptionConditions on kube-apiserver of 10\.0\.0\.11/,
      );
      expect(error.message).toMatch(/flag cloud-config on kubelet of 10\.0\.0\.21/);
    }
    // The checks announce themselves on stdout, before the refusal on stderr.
    expect(progress.map((p) => p.message)).toContain(
      'checking for removed Kubernetes API resource versions',
    );
  });

  it('upgrade-k8s: an unsupported path is refused', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['upgrade-k8s', '-n', '10.0.0.11', '--to', '1.34.1'],
        stderrFile: `talosctl/${v}/upgrade-k8s-unsupported.stderr`,
        exitCode: 1,
      },
    ]);
    await expect(
      adapter.upgradeKubernetes({ node: '10.0.0.11', to: '1.34.1', dryRun: false }),
    ).rejects.toMatchObject({
      category: 'refused',
      code: 'TALOS_K8S_UPGRADE_PATH',
    });
  });
});

describe('TalosctlAdapter argv, files and errors', () => {
  const v = 'v1.11';

  it('apply-config --insecure passes the config in a 0600 file in a 0700 dir, never argv, and removes it', async () => {
    const config = 'version: v1alpha1\nmachine:\n  token: abcdef.0123456789abcdef\n';
    const before = await drovertemps();
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'apply-config',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '--file',
          '<file>',
        ],
      },
    ]);
    await adapter.applyConfig('10.0.0.21', config, { insecure: true });
    const [call] = await scenario!.log();
    expect(call?.error).toBeUndefined();
    expect(call?.files).toEqual([
      { mode: '600', dirMode: '700', sha256: createHash('sha256').update(config).digest('hex') },
    ]);
    expect(call?.argv.join(' ')).not.toContain('token');
    expect(await drovertemps()).toEqual(before);
  });

  it('apply-config failure: the file is removed too, and the error names the cause', async () => {
    const before = await drovertemps();
    const { adapter } = await adapterFor([
      {
        expectArgs: [
          'apply-config',
          '--insecure',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.21',
          '--file',
          '<file>',
        ],
        stderrFile: `talosctl/${v}/apply-config-insecure-rejected.stderr`,
        exitCode: 1,
      },
    ]);
    await expect(
      adapter.applyConfig('10.0.0.21', 'machine:\n  type: worker\n', { insecure: true }),
    ).rejects.toMatchObject({
      code: 'TALOS_APPLY_CONFIG_FAILED',
      retryable: false,
      message: expect.stringMatching(/certificate required/),
    });
    expect(await drovertemps()).toEqual(before);
  });

  it('a secure apply-config goes through the configured endpoints and talosconfig', async () => {
    scenario = await StandInScenario.create([
      {
        expectArgs: [
          '--talosconfig',
          '/dev/null',
          'apply-config',
          '-n',
          '10.0.0.21',
          '-e',
          '10.0.0.11,10.0.0.12',
          '--file',
          '<file>',
        ],
        stderr: 'Applied configuration without a reboot\n',
      },
    ]);
    const adapter = new TalosctlAdapter({
      binary: `${STAND_INS}/talosctl`,
      talosconfig: '/dev/null',
      endpoints: ['10.0.0.11', '10.0.0.12'],
      redactor: new Redactor(),
      env: { TALOSCTL_STANDIN_SCRIPT: scenario.path },
    });
    await adapter.applyConfig('10.0.0.21', 'machine: {}\n', { insecure: false });
    await expectAllCallsMade(1);
  });

  it('a missing explicit talosconfig is an input error before talosctl runs (it would create it empty)', async () => {
    const adapter = new TalosctlAdapter({
      binary: `${STAND_INS}/talosctl`,
      talosconfig: '/nonexistent/talosconfig',
      redactor: new Redactor(),
    });
    await expect(adapter.version('10.0.0.21')).rejects.toMatchObject({
      category: 'input',
      code: 'TALOSCONFIG_MISSING',
    });
  });

  it('a wrong argv fails like talosctl (exit 1, usage) and surfaces as an error', async () => {
    const { adapter } = await adapterFor([
      { expectArgs: ['version', '-n', '10.0.0.99'], stdoutFile: `talosctl/${v}/version.txt` },
    ]);
    await expect(adapter.version('10.0.0.21')).rejects.toMatchObject({
      code: 'TALOS_VERSION_FAILED',
      message: expect.stringMatching(/unknown flag/),
    });
  });

  it('version of a node in maintenance mode (mTLS against its self-signed cert): x509, not transient', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['version', '-n', '10.0.0.21'],
        stderrFile: `talosctl/${v}/version-x509.stderr`,
        exitCode: 1,
      },
    ]);
    const error = (await adapter.version('10.0.0.21').catch((e: unknown) => e)) as DroverError;
    expect(error.code).toBe('TALOS_VERSION_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/x509: certificate signed by unknown authority/);
    expect(error.hint).toMatch(/maintenance mode/);
  });

  it('version of an unreachable node fails TALOS_UNREACHABLE, retryable', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['version', '-n', '10.0.0.21'],
        stderrFile: `talosctl/${v}/version-unreachable.stderr`,
        exitCode: 1,
      },
    ]);
    await expect(adapter.version('10.0.0.21')).rejects.toMatchObject({
      code: 'TALOS_UNREACHABLE',
      retryable: true,
      message: expect.stringMatching(/^talosctl version exited 1/),
    });
  });

  it('etcd leave targets the departing node; remove-member is idempotent and checks the id', async () => {
    const { adapter } = await adapterFor([
      { expectArgs: ['etcd', 'leave', '-n', '10.0.0.13'] },
      { expectArgs: ['etcd', 'remove-member', '-n', '10.0.0.11', '0f1e2d3c4b5a6978'] },
      {
        expectArgs: ['etcd', 'remove-member', '-n', '10.0.0.11', '0f1e2d3c4b5a6978'],
        stderrFile: `talosctl/${v}/etcd-remove-member-not-found.stderr`,
        exitCode: 1,
      },
    ]);
    await adapter.etcdLeave('10.0.0.13');
    await adapter.etcdRemoveMember('10.0.0.11', '0f1e2d3c4b5a6978');
    await adapter.etcdRemoveMember('10.0.0.11', '0f1e2d3c4b5a6978');
    await expect(adapter.etcdRemoveMember('10.0.0.11', '--force')).rejects.toMatchObject({
      category: 'input',
    });
    await expectAllCallsMade(3);
  });

  it('an etcd status failure not attributable to nodes is an error, not "unhealthy"', async () => {
    const { adapter } = await adapterFor([
      {
        expectArgs: ['etcd', 'status', '-n', CP.join(',')],
        stderr: 'error constructing client: failed to determine endpoints\n',
        exitCode: 1,
      },
    ]);
    await expect(adapter.etcdStatus(CP)).rejects.toMatchObject({
      code: 'TALOS_ETCD_STATUS_FAILED',
    });
  });
});

function upgradeArgs(image: string, timeout: string): string[] {
  return [
    'upgrade',
    '-n',
    '10.0.0.21',
    '-e',
    '10.0.0.21',
    '--image',
    image,
    '--wait',
    '--timeout',
    timeout,
  ];
}

async function drovertemps(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((n) => n.startsWith('drover-secret-')).sort();
}
