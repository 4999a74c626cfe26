/**
 * Real temporary git repositories for the router's tests: write files, commit, branch, merge.
 * Dates are fixed so commit ids are reproducible within a run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Drover Test',
  GIT_AUTHOR_EMAIL: 'test@drover.invalid',
  GIT_COMMITTER_NAME: 'Drover Test',
  GIT_COMMITTER_EMAIL: 'test@drover.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export class GitFixture {
  private constructor(readonly dir: string) {}

  static create(): GitFixture {
    const fixture = new GitFixture(mkdtempSync(join(tmpdir(), 'drover-route-')));
    fixture.git('init', '-q', '-b', 'main');
    return fixture;
  }

  git(...args: string[]): string {
    const result = spawnSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, ...GIT_ENV },
    });
    if (result.status !== 0) {
      throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    }
    return result.stdout.trim();
  }

  write(path: string, content: string): this {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    return this;
  }

  remove(path: string): this {
    rmSync(join(this.dir, path));
    return this;
  }

  /** Stages everything and commits; returns the new commit id. */
  commit(message: string): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A variables.tf with the two usual variables. */
export function variablesTf(talos: string, kubernetes?: string): string {
  const kube =
    kubernetes === undefined
      ? ''
      : `\nvariable "kubernetes_version" {\n  type    = string\n  default = "${kubernetes}"\n}\n`;
  return `variable "talos_version" {\n  type    = string\n  default = "${talos}"\n}\n${kube}`;
}
