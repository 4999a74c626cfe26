import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DroverError, exitCodeFor } from '../../core/errors.js';
import { loadConfig } from './load-config.js';

const BASE = `cluster: lab
terraform:
  nodeAddresses:
    controlplane: module.cp["{name}"]
    worker: module.w["{name}"]
  templateAddress: module.template_{host}_{flavor}
schematics:
  base: { id: ${'a'.repeat(64)} }
machineConfigs:
  controlplane: { envBase64: CP_B64 }
  worker: { envBase64: WORKER_B64 }
nodes:
  - { name: cp-1, role: controlplane, host: pve1, address: 10.0.0.1 }
  - { name: w-1, role: worker, host: pve1, address: 10.0.0.2 }
`;

async function load(maintenance: string) {
  const dir = await mkdtemp(join(tmpdir(), 'drover-maintenance-'));
  const file = join(dir, 'drover.yaml');
  await writeFile(file, `${BASE}${maintenance}`);
  return loadConfig(file);
}

describe('drover.yaml maintenance', () => {
  it('reads the windows; outsideWindow defaults to exit', async () => {
    const loaded = await load(`maintenance:
  windows:
    - Sat 02:00-06:00 Europe/Berlin
    - Mon-Fri 22:00-04:00 UTC
`);
    expect(loaded.config.maintenance).toEqual({
      windows: ['Sat 02:00-06:00 Europe/Berlin', 'Mon-Fri 22:00-04:00 UTC'],
      outsideWindow: 'exit',
    });
  });

  it.each([
    [
      '  windows: [Sat 02:00-06:00 Europe/Berlin, Sun 02:00-06:00 Mars/Olympus]\n',
      /drover\.yaml:\d+: maintenance\.windows\[1\]: unknown time zone "Mars\/Olympus"/,
    ],
    [
      '  windows: [Saturday 02:00-06:00 UTC]\n',
      /maintenance\.windows\[0\]: "Saturday" is not a day/,
    ],
    ['  windows: []\n', /maintenance\.windows: /],
    ['  windows: [Sat 02:00-06:00 UTC]\n  outsideWindow: sleep\n', /maintenance\.outsideWindow: /],
  ])('refuses (exit 2, naming the field): %s', async (section, problem) => {
    const error = await load(`maintenance:\n${section}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DroverError);
    expect((error as DroverError).code).toBe('CONFIG_INVALID');
    expect(exitCodeFor(error)).toBe(2);
    expect((error as DroverError).message).toMatch(problem);
  });
});
