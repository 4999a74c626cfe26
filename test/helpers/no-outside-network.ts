/**
 * Tests never touch the network (common rule): every TCP connection a test process opens must go
 * to a loopback address (the fake API server, the loopback registry, Alertmanager and S3). This
 * setup file (vitest.config.ts setupFiles) wraps net.Socket#connect, through which every TCP
 * client passes (fetch/undici, http, tls). A connection to anything else is refused on the spot
 * (the socket errors as an unreachable host would) and fails the test file after its tests, naming
 * the host, so a test that would quietly pass either way cannot hide a lookup.
 */
import net from 'node:net';
import { afterAll } from 'vitest';

const attempts: string[] = [];

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Host of Socket#connect's arguments: (options), (port, host?), (path); undefined: a local pipe. */
function hostOf(args: unknown[]): string | undefined {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'object' && first !== null) {
    const o = first as { path?: unknown; host?: unknown };
    if (typeof o.path === 'string') return undefined;
    return typeof o.host === 'string' ? o.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !isLoopback(host)) {
    attempts.push(host);
    const error = Object.assign(
      new Error(`test opened an outside connection to ${host} (tests stay on loopback)`),
      { code: 'EHOSTUNREACH' },
    );
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

afterAll(() => {
  if (attempts.length > 0)
    throw new Error(
      `this test file opened outside connections (to ${[...new Set(attempts)].join(', ')}): use a loopback server or switch the lookup off (preflight.installerImages: skip)`,
    );
});
