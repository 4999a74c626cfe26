/**
 * Tests never touch the network (common rule). This setup file (vitest.config.ts setupFiles)
 * installs test/helpers/network-guard.mjs in the test process and, through NODE_OPTIONS, in every
 * node child process a test starts with the inherited environment (the built CLI): a TCP
 * connection to anything but loopback is refused on the spot (it errors as an unreachable host
 * would) and fails the test file after its tests, naming the host, so a test that would quietly
 * pass either way cannot hide a lookup (test/upgrade/resume.test.ts reached factory.talos.dev).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';
import { installNetworkGuard, NETWORK_LOG_ENV } from './network-guard.mjs';

const attempts: string[] = [];
installNetworkGuard((host) => attempts.push(host));

const logDir = mkdtempSync(join(tmpdir(), 'drover-network-'));
const childLog = join(logDir, 'attempts.log');
process.env[NETWORK_LOG_ENV] = childLog;
const guard = `--import=${pathToFileURL(join(import.meta.dirname, 'network-guard.mjs')).href}`;
// Once per worker process (its environment outlives each test file's module graph).
if (!(process.env.NODE_OPTIONS ?? '').includes(guard))
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, guard].filter(Boolean).join(' ');

afterAll(() => {
  const children = existsSync(childLog) ? readFileSync(childLog, 'utf8').split('\n') : [];
  rmSync(logDir, { recursive: true, force: true });
  const hosts = [...new Set([...attempts, ...children.filter(Boolean)])];
  if (hosts.length > 0)
    throw new Error(
      `this test file opened outside connections (to ${hosts.join(', ')}): use a loopback server or switch the lookup off (preflight.installerImages: skip)`,
    );
});
