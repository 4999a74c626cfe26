// Tests never touch the network: every TCP connection must go to a loopback address. This wraps
// net.Socket#connect, through which every TCP client passes (fetch/undici, http, tls); a
// connection anywhere else errors at once (as an unreachable host) and is reported to
// `onAttempt`. Plain JavaScript so that child processes of tests (the built CLI) load it too,
// through NODE_OPTIONS=--import (test/helpers/no-outside-network.ts sets it up).
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

export function isLoopback(host) {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Host of Socket#connect's arguments: (options), (port, host?), (path); undefined: a local pipe. */
function hostOf(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'object' && first !== null) {
    if (typeof first.path === 'string') return undefined;
    return typeof first.host === 'string' ? first.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

export function installNetworkGuard(onAttempt) {
  const original = net.Socket.prototype.connect;
  if (original.droverGuarded) return;
  const guarded = function connect(...args) {
    const host = hostOf(args);
    if (host !== undefined && !isLoopback(host)) {
      onAttempt(host);
      const error = Object.assign(
        new Error(`test opened an outside connection to ${host} (tests stay on loopback)`),
        { code: 'EHOSTUNREACH' },
      );
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return original.apply(this, args);
  };
  guarded.droverGuarded = true;
  net.Socket.prototype.connect = guarded;
}

/** In a child process: record attempts in the file the test process named. */
export const NETWORK_LOG_ENV = 'DROVER_TEST_NETWORK_LOG';
const log = process.env[NETWORK_LOG_ENV];
if (log) installNetworkGuard((host) => appendFileSync(log, `${host}\n`));
