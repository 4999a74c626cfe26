/**
 * The engine's hook and silence rules on the twin: every after hook owed is run on
 * every path, a failing hook is a failure, a command gate's block is final, a silence that
 * cannot be created refuses the run before anything is touched.
 */
import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import { block } from '../core/gates.js';
import type { HookCommandResult, HookContext, HookPoint, HookRunner } from '../ports/hooks.js';
import type { SilencePort, SilenceWindow } from '../ports/silences.js';
import { runUpgrade } from './run-upgrade.js';
import { cordonedNodes, replacedVms, twinRun } from './testing/twin-run.js';

class RecordingHooks implements HookRunner {
  readonly calls: string[] = [];
  constructor(
    private readonly points: HookPoint[],
    private readonly failing: (c: HookContext) => boolean = () => false,
  ) {}
  configured(point: HookPoint) {
    return this.points.includes(point);
  }
  async run(c: HookContext): Promise<HookCommandResult[]> {
    this.calls.push([c.point, c.node, c.outcome].filter(Boolean).join(' '));
    const failed = this.failing(c);
    return [
      {
        command: `${c.point}.sh`,
        exitCode: failed ? 1 : 0,
        ok: !failed,
        durationSeconds: 0,
        outputTail: failed ? `${c.point} broke` : '',
      },
    ];
  }
}

const ALL: HookPoint[] = ['before-run', 'after-run', 'before-drain', 'after-uncordon'];

describe('hooks in the engine', () => {
  it('success: before-run, a pair around every node, after-run last', async () => {
    const t = await twinRun();
    const hooks = new RecordingHooks(ALL);
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), hooks } }));
    expect(report.outcome).toBe('succeeded');
    const nodes = t.cluster.inventory.nodes.map((n) => n.name);
    expect(hooks.calls[0]).toBe('before-run');
    expect(hooks.calls.at(-1)).toBe('after-run succeeded');
    for (const n of nodes) {
      const before = hooks.calls.indexOf(`before-drain ${n}`);
      expect(before).toBeGreaterThan(0);
      expect(hooks.calls.indexOf(`after-uncordon ${n} succeeded`)).toBeGreaterThan(before);
    }
    expect(hooks.calls).toHaveLength(2 + 2 * nodes.length);
  });

  it('a failing before-drain hook stops the run; the node is put back; its after-uncordon and after-run still run', async () => {
    const t = await twinRun();
    const hooks = new RecordingHooks(ALL, (h) => h.point === 'before-drain' && h.node === 'cp-2');
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), hooks } }));
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatchObject({ code: 'HOOK_FAILED', stepId: 'cp-2/drain' });
    expect(report.failure?.message).toContain('before-drain broke');
    expect((await cordonedNodes(t.cluster)).length).toBe(0);
    expect(t.cluster.vmReplacements()['cp-2'] ?? 0).toBe(0);
    expect(hooks.calls.slice(-2)).toEqual(['after-uncordon cp-2 restored', 'after-run failed']);
    expect(t.cluster.violations()).toEqual([]);
  });

  it('abort mid-node: the after hooks owed run with outcome aborted', async () => {
    const t = await twinRun();
    const hooks = new RecordingHooks(ALL);
    const controller = new AbortController();
    const report = await runUpgrade(
      t.upgrade({
        ports: { ...t.newPorts(), hooks },
        signal: controller.signal,
        afterStep: (e) => {
          if (e.stepId === 'cp-1/drain') controller.abort(new Error('SIGTERM'));
        },
      }),
    );
    expect(report.outcome).toBe('aborted');
    expect(hooks.calls).toContain('before-drain cp-1');
    expect(hooks.calls.at(-1)).toBe('after-run aborted');
    expect(hooks.calls.filter((h) => h.startsWith('after-uncordon cp-1'))).toHaveLength(1);
  });

  it('an after-run hook failing on a failed run keeps the first failure and is in the notes', async () => {
    const t = await twinRun();
    const hooks = new RecordingHooks(
      ALL,
      (h) => (h.point === 'before-drain' && h.node === 'cp-1') || h.point === 'after-run',
    );
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), hooks } }));
    expect(report.failure).toMatchObject({ code: 'HOOK_FAILED', stepId: 'cp-1/drain' });
    expect(report.notes.join('\n')).toContain('hook after-run failed: after-run.sh exited 1');
    expect(report.notes.join('\n')).toContain('after-run broke');
  });

  it('a runner that throws is a failed hook, not a pass', async () => {
    const t = await twinRun();
    const hooks: HookRunner = {
      configured: (p) => p === 'before-run',
      run: async () => {
        throw new Error('runner exploded');
      },
    };
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), hooks } }));
    expect(report.failure).toMatchObject({ code: 'HOOK_FAILED' });
    expect(report.failure?.message).toContain('runner exploded');
    expect(replacedVms(t.cluster)).toEqual({});
  });
});

describe('command gates in the engine', () => {
  it('a block from a custom check is final: refused with its own code, nothing replaced', async () => {
    const t = await twinRun({ customChecks: ['backups-idle'] });
    let asked = 0;
    const report = await runUpgrade(
      t.upgrade({
        customChecks: {
          'backups-idle': async (_ports, context) => {
            asked++;
            return block('COMMAND_GATE_BLOCKED', `command gate exited 1 for ${context?.node}`);
          },
        },
      }),
    );
    expect(report.failure).toMatchObject({
      code: 'COMMAND_GATE_BLOCKED',
      category: 'refused',
      stepId: 'w-1/gate-health',
    });
    expect(report.failure?.message).toContain('for w-1');
    expect(asked).toBe(1);
    expect(t.cluster.vmReplacements()['w-1'] ?? 0).toBe(0);
  });
});

class RecordingSilences implements SilencePort {
  readonly durationSeconds = 600;
  readonly description = 'test';
  readonly calls: string[] = [];
  constructor(
    readonly onCreateFailure: 'refuse' | 'warn',
    private readonly failCreate = false,
  ) {}
  async create(w: SilenceWindow) {
    this.calls.push(`create ${w.endsAt - w.startsAt}`);
    if (this.failCreate) throw new Error('503');
    return 'id-1';
  }
  /** What extend answers: the same id, or a new one (Alertmanager replaced the silence). */
  nextId: (id: string) => string = (id) => id;
  async extend(id: string) {
    this.calls.push(`extend ${id}`);
    return this.nextId(id);
  }
  async expire(id: string) {
    this.calls.push(`expire ${id}`);
  }
}

describe('silences in the engine', () => {
  it('a silence that cannot be created refuses the run before anything is touched', async () => {
    const t = await twinRun();
    const silences = new RecordingSilences('refuse', true);
    const hooks = new RecordingHooks(ALL);
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), silences, hooks } }));
    expect(report.failure).toMatchObject({ code: 'SILENCE_CREATE_FAILED', category: 'refused' });
    expect(replacedVms(t.cluster)).toEqual({});
    expect((await cordonedNodes(t.cluster)).length).toBe(0);
    expect(hooks.calls).toEqual([]);
    expect(silences.calls).toEqual(['create 600000']);
  });

  it('created, extended every third of its duration, expired after the after-run hook', async () => {
    const t = await twinRun();
    const silences = new RecordingSilences('refuse');
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), silences } }));
    expect(report.outcome).toBe('succeeded');
    const extensions = silences.calls.filter((x) => x === 'extend id-1').length;
    const expected = Math.floor(report.durationSeconds / 200);
    expect(extensions).toBeGreaterThanOrEqual(expected - 1);
    expect(extensions).toBeLessThanOrEqual(expected + 1);
    expect(silences.calls[0]).toBe('create 600000');
    expect(silences.calls.at(-1)).toBe('expire id-1');
  });

  it('follows the new id Alertmanager answers when it replaced the silence, and expires that one', async () => {
    const t = await twinRun();
    const silences = new RecordingSilences('refuse');
    silences.nextId = () => 'id-2';
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), silences } }));
    expect(report.outcome).toBe('succeeded');
    expect(silences.calls.slice(1, 3)).toEqual(['extend id-1', 'extend id-2']);
    expect(silences.calls.at(-1)).toBe('expire id-2');
  });

  it('a silence someone expired by hand is not extended again, and the report says so', async () => {
    const t = await twinRun();
    const silences = new RecordingSilences('refuse');
    silences.extend = async (id: string) => {
      silences.calls.push(`extend ${id}`);
      throw new DroverError(
        'failed',
        'SILENCE_EXPIRED_ELSEWHERE',
        `silence ${id} was expired outside Drover`,
      );
    };
    const report = await runUpgrade(t.upgrade({ ports: { ...t.newPorts(), silences } }));
    expect(report.outcome).toBe('succeeded');
    expect(silences.calls.filter((x) => x.startsWith('extend'))).toHaveLength(1);
    expect(report.notes).toContain('silence id-1 was expired outside Drover: not silenced again');
    expect(silences.calls).not.toContain('expire id-1');
  });
});
