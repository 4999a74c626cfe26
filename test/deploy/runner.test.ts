/**
 * The external runner's files as `drover init` writes them: the image (built from Drover's
 * source, every base and download pinned, refusing to build with anything unpinned), the
 * compose file (a health check a restart acts on), and the scripts, run for real with
 * stand-ins for curl, pgrep, qm and pvesm. No Docker engine here: the Dockerfile's own shell
 * logic is extracted and run with bash.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const runner = join(root, 'deploy', 'runner');
const scripts = [
  ...(await readdir(runner)).filter((f) => f.endsWith('.sh')).map((f) => join(runner, f)),
  join(root, '.ci', 'run'),
];
const HEX = 'a'.repeat(64);

async function stub(dir: string, name: string, body: string): Promise<void> {
  await writeFile(join(dir, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
}

/** The Dockerfile's RUN instruction that starts with `prefix`, joined across its continuations. */
function runInstruction(text: string, prefix: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`RUN ${prefix}`));
  expect(start, prefix).toBeGreaterThanOrEqual(0);
  const body: string[] = [];
  for (let i = start; i < lines.length; i += 1) {
    const line = lines[i]!;
    body.push(line.replace(/\\$/, ' '));
    if (!line.endsWith('\\')) break;
  }
  return body.join('').replace(/^RUN /, '');
}

describe('deploy/runner Dockerfile', () => {
  it('passes dockerfilelint', async (ctx) => {
    const bin = join(root, 'node_modules/.bin/dockerfilelint');
    let stdout: string;
    try {
      ({ stdout } = await run(bin, ['-j', join(runner, 'Dockerfile')]));
    } catch (error) {
      const e = error as { code?: unknown; stdout?: string };
      if (typeof e.code === 'string' || e.stdout === undefined) {
        console.warn(`skipped: dockerfilelint cannot run here (${String(e.code)})`);
        ctx.skip();
        return;
      }
      stdout = e.stdout; // exit status = number of issues; the JSON says which
    }
    const result = JSON.parse(stdout) as { totalIssues: number; files: { issues: unknown[] }[] };
    expect(result.files[0]?.issues).toEqual([]);
    expect(result.totalIssues).toBe(0);
  });

  it('builds Drover from source in a build stage, and both bases are pinned by digest', async () => {
    const text = await readFile(join(runner, 'Dockerfile'), 'utf8');
    const code = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(code.join('\n')).not.toMatch(/latest/i);
    const from = code.filter((l) => l.startsWith('FROM '));
    expect(from).toEqual([
      'FROM ${NODE_IMAGE}@${NODE_IMAGE_DIGEST} AS drover-build',
      'FROM ${RUNNER_IMAGE}@${RUNNER_IMAGE_DIGEST}',
    ]);
    // The image arguments come before the first FROM (else FROM cannot see them), tags pinned.
    const firstFrom = text.indexOf('\nFROM ');
    for (const arg of ['NODE_IMAGE', 'RUNNER_IMAGE']) {
      const m = new RegExp(`^ARG ${arg}=([\\w./-]+):(\\d[\\w.-]*)$`, 'm').exec(text);
      expect(m, arg).not.toBeNull();
      expect(m!.index).toBeLessThan(firstFrom);
      expect(text.indexOf(`ARG ${arg}_DIGEST=`)).toBeLessThan(firstFrom);
    }
    expect(text).toMatch(/^COPY --from=drover-source \. \.$/m);
    expect(text).toMatch(/npm ci .*\n.*node scripts\/build\.mjs/);
    expect(text).toMatch(/^COPY --from=drover-build \/opt\/drover \/opt\/drover$/m);
    expect(text).not.toMatch(/DROVER_PACKAGE_URL|DROVER_SHA256/);
    expect(code.join('\n')).not.toMatch(/curl [^\n|]*\|\s*(ba)?sh/);
    expect(text).toMatch(/RUN_AS_ROOT=false/);
  });

  it('verifies every download against its own pinned checksum argument', async () => {
    const text = await readFile(join(runner, 'Dockerfile'), 'utf8');
    const versions = [...text.matchAll(/^ARG (\w+)_VERSION=(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(versions.map(([tool]) => tool)).toEqual(
      expect.arrayContaining(['TERRAFORM', 'KUBECTL', 'TALOSCTL', 'SOPS', 'AGE', 'AWSCLI']),
    );
    for (const [tool, version] of versions)
      expect(version, `${tool}_VERSION`).toMatch(/^\d+\.\d+\.\d+$/);
    const downloads = [...text.matchAll(/fetch-verified "([^"]+)" "\$\{(\w+)\}"/g)];
    expect(downloads.length).toBe(6);
    for (const [, url, sum] of downloads) {
      expect(sum, url).toMatch(/_SHA256$/);
      expect(text).toMatch(new RegExp(`^ARG ${sum}=`, 'm'));
    }
    expect(text).toMatch(/sha256sum -c -/);
    expect(text).not.toMatch(/^RUN curl/m);
  });

  it('refuses to build with any checksum empty, naming each, and builds when all are set', async () => {
    const text = await readFile(join(runner, 'Dockerfile'), 'utf8');
    const check = runInstruction(text, 'missing=');
    const sums = [...text.matchAll(/^ARG (\w+_SHA256)=/gm)].map((m) => m[1]!);
    const always = sums.filter((s) => s !== 'AWSCLI_SHA256');
    const bash = (env: Record<string, string>) =>
      spawnSync('bash', ['--norc', '--noprofile', '-o', 'pipefail', '-c', check], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
      });
    const all = Object.fromEntries(always.map((s) => [s, HEX]));

    const none = bash({ INSTALL_AWSCLI: 'false' });
    expect(none.status).toBe(1);
    for (const s of always) expect(none.stderr).toContain(s);
    expect(none.stderr).toContain('update-checksums.sh');
    expect(bash({ ...all, INSTALL_AWSCLI: 'false' }).status).toBe(0);
    for (const s of always) {
      const one = bash({ ...all, [s]: '', INSTALL_AWSCLI: 'false' });
      expect(one.status, s).toBe(1);
      expect(one.stderr.trim()).toBe(`empty checksum(s): ${s}; run ./update-checksums.sh`);
    }
    const aws = bash({ ...all, INSTALL_AWSCLI: 'true' });
    expect(aws.status).toBe(1);
    expect(aws.stderr).toContain('AWSCLI_SHA256');
    expect(bash({ ...all, INSTALL_AWSCLI: 'true', AWSCLI_SHA256: HEX }).status).toBe(0);
  });

  it('update-checksums.sh fills every checksum and both image digests, after which the build check passes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-sums-'));
    const dockerfile = join(dir, 'Dockerfile');
    await copyFile(join(runner, 'Dockerfile'), dockerfile);
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', bin]);
    // curl as the vendors answer: checksum lists, a bare sum, a tarball, a registry token and
    // a manifest HEAD with its digest.
    await stub(
      bin,
      'curl',
      `url="\${*: -1}"
case "$url" in
  *terraform_*_SHA256SUMS) echo "${'1'.repeat(64)}  terraform_1.11.4_linux_amd64.zip"; echo "${'9'.repeat(64)}  terraform_1.11.4_darwin_arm64.zip" ;;
  *kubectl.sha256) printf '%s' "${'2'.repeat(64)}" ;;
  *talos*/sha256sum.txt) echo "${'8'.repeat(64)}  talosctl-darwin-amd64"; echo "${'3'.repeat(64)}  talosctl-linux-amd64" ;;
  *sops*checksums.txt) echo "${'4'.repeat(64)}  sops-v3.10.2.linux.amd64" ;;
  *age-v*) printf 'age tarball' ;;
  *auth.docker.io*) echo '{"token":"t0ken","expires_in":300}' ;;
  *registry-1.docker.io*node/manifests*) printf 'HTTP/1.1 200 OK\\r\\ndocker-content-digest: sha256:${'5'.repeat(64)}\\r\\n\\r\\n' ;;
  *registry-1.docker.io*github-runner/manifests*) printf 'HTTP/1.1 200 OK\\r\\nDocker-Content-Digest: sha256:${'6'.repeat(64)}\\r\\n\\r\\n' ;;
  *) echo "unexpected url $url" >&2; exit 22 ;;
esac`,
    );
    const { stdout } = await run('bash', [join(runner, 'update-checksums.sh'), dockerfile], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    const text = await readFile(dockerfile, 'utf8');
    const arg = (name: string) => new RegExp(`^ARG ${name}=(.*)$`, 'm').exec(text)?.[1];
    expect(arg('TERRAFORM_SHA256')).toBe('1'.repeat(64));
    expect(arg('KUBECTL_SHA256')).toBe('2'.repeat(64));
    expect(arg('TALOSCTL_SHA256')).toBe('3'.repeat(64));
    expect(arg('SOPS_SHA256')).toBe('4'.repeat(64));
    expect(arg('AGE_SHA256')).toMatch(/^[0-9a-f]{64}$/);
    expect(arg('NODE_IMAGE_DIGEST')).toBe(`sha256:${'5'.repeat(64)}`);
    expect(arg('RUNNER_IMAGE_DIGEST')).toBe(`sha256:${'6'.repeat(64)}`);
    expect(stdout).toContain('RUNNER_IMAGE_DIGEST=');
    const check = runInstruction(text, 'missing=');
    const env = Object.fromEntries(
      [...text.matchAll(/^ARG (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    expect(
      spawnSync('bash', ['--norc', '--noprofile', '-c', check], {
        env: { PATH: process.env.PATH, ...env },
      }).status,
    ).toBe(0);
  });
});

describe('deploy/runner compose.yaml', () => {
  it('restarts the runner, acts on an unhealthy listener, limits it and keeps the journal on a volume', async () => {
    const compose = parse(await readFile(join(runner, 'compose.yaml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    const service = compose.services.runner!;
    expect(service.restart).toBe('unless-stopped');
    // runner-health stops PID 1 after its misses; docker-init passes the signal on.
    expect(service.init).toBe(true);
    expect((service.healthcheck as { test: string[] }).test).toEqual([
      'CMD',
      '/usr/local/bin/runner-health',
    ]);
    expect(
      (service.build as { additional_contexts: Record<string, string> }).additional_contexts,
    ).toEqual({
      'drover-source': '../..',
    });
    expect(service.env_file).toBe('.env');
    expect(service.mem_limit).toBeDefined();
    expect(service.cpus).toBeDefined();
    const volumes = service.volumes as string[];
    expect(volumes).toContain('drover-state:/var/lib/drover');
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['drover-state', 'runner-work']),
    );
    for (const key of Object.keys(service.environment as object))
      expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD|KEY/);
    expect(volumes.some((v) => v.includes('docker.sock'))).toBe(false);
    const dockerfile = await readFile(join(runner, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(
      /^COPY --chmod=0755 runner-health\.sh \/usr\/local\/bin\/runner-health$/m,
    );
  });

  it('uses only keys the Compose Specification defines (and a typo is caught)', async () => {
    const compose = parse(await readFile(join(runner, 'compose.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(composeProblems(compose)).toEqual([]);
    const typo = structuredClone(compose) as { services: { runner: Record<string, unknown> } };
    typo.services.runner.healthchek = typo.services.runner.healthcheck;
    expect(composeProblems(typo)).toEqual(['services.runner.healthchek: not a Compose key']);
  });

  it('runner-health stops the main process after three misses in a row, and not before', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-health-'));
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', bin]);
    await stub(bin, 'pgrep', 'test -e "$LISTENER_UP"');
    const main = spawn('sleep', ['60']);
    const alive = () => main.exitCode === null && main.signalCode === null;
    const check = (up: boolean) =>
      spawnSync('bash', [join(runner, 'runner-health.sh')], {
        env: {
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          LISTENER_UP: up ? dir : join(dir, 'absent'),
          HEALTH_STATE_FILE: join(dir, 'misses'),
          HEALTH_MAIN_PID: String(main.pid),
        },
        encoding: 'utf8',
      });
    try {
      expect(check(false).status).toBe(1);
      expect(check(false).status).toBe(1);
      expect(check(true).status).toBe(0); // a pass resets the count
      expect(check(false).status).toBe(1);
      expect(check(false).status).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(alive()).toBe(true);
      const third = check(false);
      expect(third.status).toBe(1);
      expect(third.stdout).toContain('(3/3)');
      await new Promise<void>((r) => (alive() ? main.once('exit', () => r()) : r()));
      expect(main.signalCode).toBe('SIGTERM');
    } finally {
      if (alive()) main.kill('SIGKILL');
    }
  });

  it('.env.example holds names and empty values only', async () => {
    const text = await readFile(join(runner, '.env.example'), 'utf8');
    const secrets = text.split('\n').filter((l) => /^[A-Z_]*(TOKEN|KEY)[A-Z_]*=/.test(l));
    expect(secrets.length).toBeGreaterThan(0);
    for (const line of secrets) expect(line).toMatch(/=$/);
  });
});

describe('the runner scripts', () => {
  it.each(scripts)('%s is valid bash with strict mode', async (file) => {
    await run('bash', ['-n', file]);
    expect(await readFile(file, 'utf8')).toMatch(/^set -euo pipefail$/m);
  });

  const noShellcheck = spawnSync('shellcheck', ['--version']).status !== 0;
  if (noShellcheck)
    process.stderr.write(
      'SKIP: shellcheck is not installed here (apt-get install shellcheck); the shellcheck tests are skipped\n',
    );
  it.skipIf(noShellcheck).each(scripts)('%s passes shellcheck', async (file) => {
    const result = spawnSync('shellcheck', ['--severity=style', file], { encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('provision-vm.sh', () => {
  const script = join(runner, 'provision-vm.sh');
  const key = async (dir: string) => {
    const file = join(dir, 'id.pub');
    await writeFile(file, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest runner@test\n');
    return file;
  };

  it('prints its plan in dry-run, untagged unless a VLAN is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-vm-'));
    const ssh = await key(dir);
    const { stdout } = await run('bash', [script, '--ssh-key', ssh, '--dry-run', '--vmid', '210']);
    expect(stdout).toMatch(/^\+ qm create 210 --name drover-runner .*--cores 2 --memory 4096/m);
    expect(stdout).toMatch(/--net0 virtio,bridge=vmbr0 /);
    expect(stdout).not.toMatch(/tag=/);
    expect(stdout).toMatch(/--onboot 1/);
    expect(stdout).toMatch(/- docker\.io/);
    expect(stdout).toMatch(/ssh_pwauth: false/);
    expect(stdout).not.toMatch(/get\.docker\.com/);
    const tagged = await run('bash', [script, '--ssh-key', ssh, '--dry-run', '--vlan', '30']);
    expect(tagged.stdout).toMatch(/--net0 virtio,bridge=vmbr0,tag=30 /);
  });

  it('fails with its usage on a missing or bad value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-vm-'));
    const ssh = await key(dir);
    for (const args of [
      ['--ssh-key', ssh, '--dry-run', '--vmid'],
      ['--ssh-key', '--dry-run'],
      ['--ssh-key', ssh, '--vlan', '', '--dry-run'],
    ]) {
      const result = spawnSync('bash', [script, ...args], { encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^Usage: /m);
      expect(result.stderr).toMatch(/error: --\w[\w-]* needs a value/);
      expect(result.stderr).not.toMatch(/unbound variable/);
    }
    for (const args of [
      ['--ssh-key', ssh, '--dry-run', '--vmid', 'abc'],
      ['--dry-run'],
      ['--ssh-key', ssh, '--dry-run', '--ip', '192.0.2.50/24'],
    ])
      expect(spawnSync('bash', [script, ...args]).status, args.join(' ')).toBe(2);
  });

  it('keeps the MAC address of an existing VM when it runs again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-vm-'));
    const ssh = await key(dir);
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', bin]);
    const log = join(dir, 'qm.log');
    await stub(bin, 'id', 'echo 0');
    await stub(
      bin,
      'qm',
      `echo "$*" >>"${log}"
case "$1" in
  status) echo "status: running" ;;
  config) printf 'name: drover-runner\\nnet0: virtio=BC:24:11:0A:1B:2C,bridge=vmbr0,firewall=1\\n' ;;
esac`,
    );
    await stub(
      bin,
      'pvesm',
      `case "$1" in
  status) echo "local dir active 1 1 1 1%" ;;
  path) echo "${dir}/snippet.yaml" ;;
esac`,
    );
    const { stdout } = await run(
      'bash',
      [script, '--ssh-key', ssh, '--vmid', '210', '--snippets', 'local'],
      {
        env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
      },
    );
    expect(stdout).toContain('VM 210 (drover-runner) exists: updating its settings');
    const calls = (await readFile(log, 'utf8')).split('\n');
    expect(calls.some((c) => c.startsWith('create'))).toBe(false);
    const set = calls.find((c) => c.startsWith('set 210 --cores'));
    expect(set).toContain('--net0 virtio=BC:24:11:0A:1B:2C,bridge=vmbr0 ');
    await chmod(join(dir, 'snippet.yaml'), 0o600);
  });
});

/**
 * The keys the Compose Specification allows at the levels compose.yaml uses, as its JSON Schema
 * defines them (compose-spec/compose-spec, schema/compose-spec.json at 170098ba07d9, where each
 * of these objects has additionalProperties: false; `x-` extensions are allowed everywhere).
 * No Docker engine here, so no `docker compose config`: this is the schema's key check.
 */
const COMPOSE_KEYS = {
  top: 'version name include services models networks volumes secrets configs',
  service:
    'develop deploy annotations attach build blkio_config cap_add cap_drop cgroup cgroup_parent command configs container_name cpu_count cpu_percent cpu_shares cpu_quota cpu_period cpu_rt_period cpu_rt_runtime cpus cpuset credential_spec depends_on device_cgroup_rules devices dns dns_opt dns_search domainname entrypoint env_file label_file environment expose extends provider external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode models networks oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged profiles pull_policy pull_refresh_after read_only restart runtime scale security_opt shm_size secrets sysctls stdin_open stop_grace_period stop_signal storage_opt tmpfs tty ulimits use_api_socket user uts userns_mode volumes volumes_from working_dir',
  build:
    'context dockerfile dockerfile_inline entitlements args ssh labels cache_from cache_to no_cache additional_contexts network provenance sbom pull target shm_size extra_hosts isolation privileged secrets tags ulimits platforms',
  healthcheck: 'disable interval retries test timeout start_period start_interval',
  logging: 'driver options',
};
const RESTART = ['no', 'always', 'on-failure', 'unless-stopped'];

function composeProblems(compose: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const check = (where: string, value: unknown, allowed: string) => {
    const keys = allowed.split(' ');
    for (const key of Object.keys((value ?? {}) as object))
      if (!keys.includes(key) && !key.startsWith('x-'))
        problems.push(`${where ? `${where}.` : ''}${key}: not a Compose key`);
  };
  check('', compose, COMPOSE_KEYS.top);
  for (const [name, service] of Object.entries(
    (compose.services ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    const at = `services.${name}`;
    check(at, service, COMPOSE_KEYS.service);
    if (typeof service.build === 'object') check(`${at}.build`, service.build, COMPOSE_KEYS.build);
    check(`${at}.healthcheck`, service.healthcheck, COMPOSE_KEYS.healthcheck);
    check(`${at}.logging`, service.logging, COMPOSE_KEYS.logging);
    if (service.restart !== undefined && !RESTART.includes(String(service.restart)))
      problems.push(`${at}.restart: not one of ${RESTART.join(', ')}`);
    if (service.init !== undefined && typeof service.init !== 'boolean')
      problems.push(`${at}.init: not a boolean`);
  }
  return problems;
}
