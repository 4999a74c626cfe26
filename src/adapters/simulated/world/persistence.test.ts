import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCluster, type SimulatedCluster } from '../index.js';
import {
  backupState,
  machineConfigWithPatches,
  rebuildTemplates,
  node,
  smallScenario,
  startSmall,
} from '../testing/fixtures.js';

const open: SimulatedCluster[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

async function start(worldFile: string, extra = {}): Promise<SimulatedCluster> {
  const c = await startSmall(extra, 7, worldFile);
  open.push(c);
  return c;
}

describe('--world persistence', () => {
  it('a killed process leaves a world a new process resumes mid-cycle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'world-'));
    const file = join(dir, 'world.json');
    const first = await start(file);
    expect(first.resumedFromWorld).toBe(false);
    expect(existsSync(file)).toBe(true);
    await rebuildTemplates(first);
    const w1 = node(first, 'w-1');
    await first.ports.kubernetes.cordon('w-1');
    await backupState(first, 'b');
    await first.ports.infrastructure.apply(
      await first.ports.infrastructure.plan({ replace: w1.terraformAddresses }),
    );
    // What a kill -9 leaves behind: whatever was saved after the last change.
    await new Promise((resolve) => setImmediate(resolve));
    const crashed = join(dir, 'crashed.json');
    copyFileSync(file, crashed);
    const killedAt = first.clock.now();
    await first.close();
    open.splice(0);

    const second = await start(crashed);
    expect(second.resumedFromWorld).toBe(true);
    expect(second.clock.now()).toBe(killedAt);
    expect(second.vmReplacements()['w-1']).toBe(1);
    expect((await second.ports.kubernetes.getNode('w-1'))?.unschedulable).toBe(true);
    // The fresh VM keeps booting in the new process.
    await second.clock.sleep(second.durations['wait-maintenance'] * 1200);
    expect(await second.ports.talos.probe(w1.address)).toBe('maintenance');
    await second.ports.talos.applyConfig(w1.address, await machineConfigWithPatches(second, w1), {
      insecure: true,
    });
    await second.ports.kubernetes.waitForNode(
      'w-1',
      (n) => n?.ready === 'True' && n.talosVersion === '1.11.0',
      { timeoutMs: 900_000 },
    );
    await second.ports.kubernetes.uncordon('w-1');
    expect(second.vmReplacements()['w-1']).toBe(1);
    expect(second.violations()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps violations and fault counters across processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'world-'));
    const file = join(dir, 'world.json');
    const faults = [
      { type: 'step-fails' as const, action: 'cordon' as const, node: 'w-2', times: 2 },
    ];
    const first = await start(file, { faults });
    await expect(first.ports.kubernetes.cordon('w-2')).rejects.toMatchObject({
      code: 'SIMULATED_FAULT',
    });
    await first.ports.kubernetes.cordon('cp-1');
    await first.ports.talos.etcdLeave('10.1.0.1');
    await first.ports.kubernetes.uncordon('cp-1');
    await first.close();
    open.splice(0);
    const second = await start(file, { faults });
    expect(second.violations().map((v) => v.invariant)).toContain('uncordon-when-done');
    await expect(second.ports.kubernetes.cordon('w-2')).rejects.toMatchObject({
      code: 'SIMULATED_FAULT',
    });
    await second.ports.kubernetes.cordon('w-2');
  });

  it('refuses a world saved for another scenario, and a file that is not a world', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'world-'));
    const file = join(dir, 'world.json');
    await (await start(file)).close();
    open.splice(0);
    const other = smallScenario({ name: 'other' });
    await expect(
      createSimulatedCluster({ scenario: other, seed: 7, worldFile: file }),
    ).rejects.toMatchObject({ code: 'WORLD_MISMATCH', category: 'input' });
    writeFileSync(join(dir, 'bad.json'), '{"hello": 1}');
    await expect(
      createSimulatedCluster({ scenario: other, seed: 7, worldFile: join(dir, 'bad.json') }),
    ).rejects.toMatchObject({ code: 'WORLD_FILE_INVALID' });
  });
});
