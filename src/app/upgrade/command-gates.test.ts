/** Command gates wired from the config: the exit status decides, the node is in the environment. */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import type { WorkloadHealthPort } from '../../ports/kubernetes.js';
import { customChecksFrom } from './custom-checks.js';

const node = process.execPath;
const ports = {} as WorkloadHealthPort;

const gateWith = (
  code: string,
  extra: { timeoutSeconds?: number; waitExitCodes?: number[] } = {},
) =>
  customChecksFrom(
    [
      {
        name: 'backups-idle',
        command: [node, '-e', code],
        timeoutSeconds: extra.timeoutSeconds ?? 10,
        waitExitCodes: extra.waitExitCodes ?? [75],
      },
    ],
    { cluster: 'homelab', redactor: new Redactor() },
  )['backups-idle']!;

describe('command gates (gates.custom[] with command)', () => {
  it('0 passes; the gate, cluster and node are in its environment', async () => {
    const check = gateWith(
      'const e = process.env; process.exit(e.DROVER_GATE === "backups-idle" && e.DROVER_CLUSTER === "homelab" && e.DROVER_NODE === "k8s-work-5" ? 0 : 9)',
    );
    expect(await check(ports, { node: 'k8s-work-5' })).toEqual({ verdict: 'pass' });
  });

  it('75 waits with its output as the reason', async () => {
    const check = gateWith('console.log("backup of vm-101 running"); process.exit(75)');
    expect(await check(ports, {})).toEqual({
      verdict: 'wait',
      reason: 'command gate backups-idle exited 75 (wait): backup of vm-101 running',
    });
  });

  it('any other status blocks with a reason code', async () => {
    const check = gateWith('console.error("restore in progress"); process.exit(1)');
    expect(await check(ports, {})).toEqual({
      verdict: 'block',
      code: 'COMMAND_GATE_BLOCKED',
      reason: 'command gate backups-idle exited 1: restore in progress',
    });
  });

  it('a timeout is unknown: a wait, never a pass', async () => {
    const check = gateWith('setTimeout(() => {}, 60_000)', { timeoutSeconds: 1 });
    expect(await check(ports, {})).toMatchObject({ verdict: 'wait' });
  });

  it('a program that cannot be started is bad input when the gates are built (before the run)', () => {
    const gates = [
      { name: 'backups-idle', command: ['./no-such.sh'], timeoutSeconds: 5, waitExitCodes: [75] },
    ];
    expect(() =>
      customChecksFrom(gates, { cluster: 'c', redactor: new Redactor(), cwd: '/', path: '' }),
    ).toThrow(
      /COMMAND_GATE_PROGRAM_NOT_FOUND|command gate programs that cannot be started: backups-idle: .\/no-such.sh/,
    );
    // A bare name is looked up on PATH.
    expect(() =>
      customChecksFrom([{ ...gates[0]!, command: ['node'] }], {
        cluster: 'c',
        redactor: new Redactor(),
        cwd: '/',
        path: process.env.PATH ?? '',
      }),
    ).not.toThrow();
  });
});
