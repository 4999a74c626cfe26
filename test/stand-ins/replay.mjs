// Shared engine of the stand-in executables (talosctl, sops, kubectl). A stand-in is exactly as
// strict as the real tool: it ASSERTS the argv it gets against the next call of a scenario and
// replays that call's recorded stdout, stderr and exit code. Anything else fails like the tool
// fails on a bad command line (exit 1 + usage-like text), so an adapter bug cannot pass.
//
// Scenario file (JSON), named by the tool's env var (e.g. TALOSCTL_STANDIN_SCRIPT):
//   [{ "expectArgs": ["version", "-n", "10.5.0.2"],   // exact; "<file>" = a 0600 file in a 0700 dir
//      "expectEnv": { "TALOSCONFIG": "/x" },           // optional; null = must be unset
//      "stdout": "...", "stdoutFile": "talosctl/v1.11/version.txt",  // file: under test/fixtures
//      "stderr": "...", "stderrFile": "...", "exitCode": 0 }]
// Each call appends one JSON line to "<scenario>.log": { index, argv, files: [{ mode, dirMode,
// sha256 }], error? }. Tests read it to check every call happened and nothing unexpected did.
// Calls are matched in order, so a scenario describes one sequential conversation.
import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function replay({ tool, envVar, usage }) {
  const argv = process.argv.slice(2);
  const scenarioPath = process.env[envVar];
  if (!scenarioPath) return fail(`${tool} stand-in: ${envVar} is not set`, 2);
  const calls = JSON.parse(readFileSync(scenarioPath, 'utf8'));
  const logPath = `${scenarioPath}.log`;
  const index = existsSync(logPath)
    ? readFileSync(logPath, 'utf8').split('\n').filter(Boolean).length
    : 0;
  const call = calls[index];
  const entry = { index, argv, files: [] };
  const problem = call ? check(call, argv, entry) : `no call #${index} in the scenario`;
  if (problem) {
    entry.error = problem;
    appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
    process.stderr.write(usage(argv, problem));
    process.exit(1);
  }
  appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
  const stdout = call.stdoutFile
    ? readFileSync(join(FIXTURES, call.stdoutFile), 'utf8')
    : (call.stdout ?? '');
  const stderr = call.stderrFile
    ? readFileSync(join(FIXTURES, call.stderrFile), 'utf8')
    : (call.stderr ?? '');
  process.stdout.write(stdout);
  process.stderr.write(stderr, () => process.exit(call.exitCode ?? 0));
}

function check(call, argv, entry) {
  const expected = call.expectArgs ?? [];
  if (expected.length !== argv.length)
    return `expected ${expected.length} args, got ${argv.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (expected[i] === '<file>') {
      const problem = checkSecretFile(argv[i], entry);
      if (problem) return problem;
    } else if (expected[i] !== argv[i]) {
      return `arg ${i}: expected ${JSON.stringify(expected[i])}, got ${JSON.stringify(argv[i])}`;
    }
  }
  for (const [name, value] of Object.entries(call.expectEnv ?? {})) {
    const actual = process.env[name];
    if (value === null ? actual !== undefined : actual !== value)
      return `env ${name}: expected ${value}, got ${actual}`;
  }
  return undefined;
}

function checkSecretFile(path, entry) {
  if (!path || !existsSync(path)) return `file ${path} does not exist`;
  const mode = statSync(path).mode & 0o777;
  const dirMode = statSync(dirname(path)).mode & 0o777;
  entry.files.push({
    mode: mode.toString(8),
    dirMode: dirMode.toString(8),
    sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
  });
  if (mode !== 0o600) return `file ${path} has mode ${mode.toString(8)}, not 600`;
  if (dirMode !== 0o700) return `directory of ${path} has mode ${dirMode.toString(8)}, not 700`;
  return undefined;
}

function fail(message, code) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
