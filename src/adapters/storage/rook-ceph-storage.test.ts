import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { StandInScenario, STAND_INS, type StandInCall } from '../../../test/stand-ins/scenario.js';
import { RookCephStorage } from './rook-ceph-storage.js';

const TOOLS = ['-n', 'rook-ceph', 'exec', 'deploy/rook-ceph-tools', '--', 'ceph'];
// Shape of `ceph osd dump -f json` (Reef), trimmed to what matters here.
const dump = (flags: Record<string, string[]>) =>
  JSON.stringify({
    epoch: 812,
    fsid: 'f3c1e2d4-0000-4a5b-8c9d-1e2f3a4b5c6d',
    flags: 'sortbitwise,recovery_deletes,purged_snapdirs,pglog_hardlimit',
    flags_num: 5799936,
    flags_set: ['pglog_hardlimit', 'purged_snapdirs', 'recovery_deletes', 'sortbitwise'],
    crush_node_flags: flags,
    device_class_flags: {},
    osds: [],
  });

let scenario: StandInScenario | undefined;
async function storageFor(
  calls: StandInCall[],
  extra: Partial<ConstructorParameters<typeof RookCephStorage>[0]> = {},
) {
  scenario = await StandInScenario.create(calls);
  return new RookCephStorage({
    binary: `${STAND_INS}/kubectl`,
    redactor: new Redactor(),
    env: { KUBECTL_STANDIN_SCRIPT: scenario.path },
    ...extra,
  });
}
afterEach(async () => {
  await scenario?.dispose();
  scenario = undefined;
});

describe('RookCephStorage (kubectl stand-in)', () => {
  it('sets and unsets noout on a CRUSH bucket and reads the flags back', async () => {
    const storage = await storageFor([
      { expectArgs: [...TOOLS, 'osd', 'set-group', 'noout', 'k8s-work-1'], stderr: '' },
      {
        expectArgs: [...TOOLS, 'osd', 'dump', '-f', 'json'],
        stdout: dump({ 'k8s-work-1': ['noout'], 'k8s-work-2': ['noin'] }),
      },
      { expectArgs: [...TOOLS, 'osd', 'unset-group', 'noout', 'k8s-work-1'] },
      { expectArgs: [...TOOLS, 'osd', 'dump', '-f', 'json'], stdout: dump({}) },
    ]);
    await storage.setNoout('k8s-work-1', true);
    expect(await storage.nooutDomains()).toEqual(['k8s-work-1']);
    await storage.setNoout('k8s-work-1', false);
    expect(await storage.nooutDomains()).toEqual([]);
    expect((await scenario!.log()).filter((e) => e.error)).toEqual([]);
  });

  it('honours namespace, deployment, kubeconfig and context', async () => {
    const storage = await storageFor(
      [
        {
          expectArgs: [
            '--kubeconfig',
            '/k/config',
            '--context',
            'prod',
            '-n',
            'storage',
            'exec',
            'deploy/ceph-tools',
            '--',
            'ceph',
            'osd',
            'set-group',
            'noout',
            'baldar',
          ],
        },
      ],
      { namespace: 'storage', deployment: 'ceph-tools', kubeconfig: '/k/config', context: 'prod' },
    );
    await storage.setNoout('baldar', true);
  });

  it('refuses a bucket name that is not a CRUSH name', async () => {
    const storage = await storageFor([]);
    await expect(storage.setNoout('--yes-i-really-mean-it', true)).rejects.toMatchObject({
      code: 'CEPH_BUCKET_INVALID',
    });
  });

  it.each([
    [
      'Error from server (NotFound): deployments.apps "rook-ceph-tools" not found',
      'CEPH_TOOLBOX_MISSING',
      undefined,
    ],
    [
      'Error from server (Forbidden): pods "rook-ceph-tools-7d8f" is forbidden: User "drover" cannot create resource "pods/exec"',
      'CEPH_RBAC_DENIED',
      undefined,
    ],
    [
      'error: unable to upgrade connection: container not found ("rook-ceph-tools")',
      'CEPH_UNAVAILABLE',
      true,
    ],
    ['Error ENOENT: unable to find bucket named k8s-work-99', 'CEPH_COMMAND_FAILED', false],
  ])('%s -> %s', async (stderr, code, retryable) => {
    const storage = await storageFor([
      {
        expectArgs: [...TOOLS, 'osd', 'set-group', 'noout', 'k8s-work-1'],
        stderr: `${stderr}\n`,
        exitCode: 1,
      },
    ]);
    const error = (await storage.setNoout('k8s-work-1', true).catch((e: unknown) => e)) as {
      code: string;
      retryable: boolean;
    };
    expect(error.code).toBe(code);
    if (retryable !== undefined) expect(error.retryable).toBe(retryable);
  });
});
