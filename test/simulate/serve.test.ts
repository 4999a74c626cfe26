/**
 * `drover simulate --serve` from the built CLI, as a newcomer uses it: start it, run the exact
 * commands it prints (sourcing its env.sh; `drover` is the built cli.js) — real kubectl (skipped
 * with a printed reason where absent), `drover validate`, `drover upgrade --dry-run` — then stop
 * it with SIGTERM and see it exit 0 and clean up.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeDocument } from '../../src/app/simulate/run-serve.js';
import { buildCliInto } from '../helpers/built-cli.mjs';
import { missingProgram } from '../helpers/programs.js';

let root: string;
let cli: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'drover-serve-test-'));
  cli = buildCliInto(join(root, 'dist'));
}, 120_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Served {
  child: ChildProcess;
  doc: ServeDocument;
  stderr: () => string;
  exit: Promise<number | null>;
}

function serve(args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'simulate', '--serve', ...args, '--json'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => void (stderr += d));
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return new Promise((resolve, reject) => {
    // Ready once the document is complete and the instructions are printed (two pipes).
    const check = () => {
      if (!stderr.includes('Press Ctrl-C')) return;
      try {
        resolve({ child, doc: JSON.parse(stdout) as ServeDocument, stderr: () => stderr, exit });
      } catch {
        // The document is not complete yet.
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      check();
    });
    child.stderr.on('data', check);
    void exit.then((code) => reject(new Error(`exited ${code} before serving: ${stderr}`)));
  });
}

/** A printed command, run as the user would: in a shell that sourced env.sh first. */
function runPrinted(doc: ServeDocument, command: string) {
  const line = command.replace(/^drover /, `${JSON.stringify(process.execPath)} ${cli} `);
  return spawnSync('sh', ['-c', `${doc.commands[0]} && ${line}`], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
}

// --serve makes its loopback certificate with openssl: without it these tests skip, saying so.
const noOpenssl = missingProgram('openssl', ['version']);

describe.skipIf(noOpenssl !== undefined)('drover simulate --serve', () => {
  it('serves the cluster for kubectl, validate and upgrade --dry-run until SIGTERM', async () => {
    const dir = join(root, 'try-drover');
    const served = await serve([dir]);
    const { doc } = served;
    try {
      expect(doc.dir).toBe(dir);
      expect(doc.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(doc.commands).toEqual([
        `. '${join(dir, 'env.sh')}'`,
        'kubectl get nodes',
        'drover validate',
        'drover upgrade cattle --to 1.11.0 --dry-run',
      ]);
      // What it prints for a person is the same commands.
      for (const command of doc.commands) expect(served.stderr()).toContain(`  ${command}\n`);
      expect(readFileSync(doc.kubeconfig, 'utf8')).toContain(`server: ${doc.server}`);

      const noKubectl = missingProgram('kubectl', ['version', '--client']);
      if (noKubectl === undefined) {
        const nodes = runPrinted(doc, 'kubectl get nodes');
        expect(nodes.status, nodes.stderr).toBe(0);
        expect(nodes.stdout).toMatch(/^NAME\s+STATUS/);
        expect(nodes.stdout.match(/\bReady\b/g)).toHaveLength(15);
      }

      const validate = runPrinted(doc, 'drover validate');
      expect(validate.status, validate.stderr).toBe(0);
      expect(validate.stdout + validate.stderr).toContain('all 15 nodes Ready');

      const dryRun = runPrinted(doc, `${doc.commands[3]} --json`);
      expect(dryRun.status, dryRun.stderr).toBe(0);
      const report = JSON.parse(dryRun.stdout) as { dryRun: boolean; nodes: unknown[] };
      expect(report.dryRun).toBe(true);
      expect(report.nodes).toHaveLength(15);
      expect(dryRun.stderr).toContain('machine config "worker" is readable');
    } finally {
      served.child.kill('SIGTERM');
    }
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toContain('Stopping the simulated cluster.');
    // A directory the user named stays; the server behind it is gone.
    expect(existsSync(doc.kubeconfig)).toBe(true);
    const after = runPrinted(doc, 'drover validate');
    expect(after.status).toBe(1);
    // Saying where it looked: the endpoint and the kubeconfig it came from.
    expect(after.stderr).toContain(
      `Kubernetes API at ${doc.server} (kubeconfig ${doc.kubeconfig})`,
    );
    const missing = runPrinted(doc, `drover validate --kubeconfig ${join(dir, 'nope')}`);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`The kubeconfig ${join(dir, 'nope')} does not exist`);
  }, 120_000);

  it('removes a temporary directory of its own on Ctrl-C; run flags and a missing parent are exit 2', async () => {
    const served = await serve([]);
    expect(existsSync(served.doc.kubeconfig)).toBe(true);
    served.child.kill('SIGINT');
    expect(await served.exit).toBe(0);
    expect(existsSync(served.doc.dir)).toBe(false);

    const mixed = spawnSync(process.execPath, [cli, 'simulate', '--serve', '--chaos', '3'], {
      encoding: 'utf8',
    });
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toContain('--chaos');
    // A directory whose parent does not exist is bad input: never created silently.
    const orphan = join(root, 'no-such-parent', 'try');
    const bad = spawnSync(process.execPath, [cli, 'simulate', '--serve', orphan], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`cannot create ${orphan}`);
    expect(existsSync(join(root, 'no-such-parent'))).toBe(false);
  }, 60_000);
});
