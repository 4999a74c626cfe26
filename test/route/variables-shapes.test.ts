/**
 * `drover route` against real git repositories whose variables.tf takes the shapes real
 * repositories have: the parser, not a grep, must find the version.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { missingProgram } from '../helpers/programs.js';
import { GitFixture, variablesTf } from './git-fixture.js';
import { route } from './run.js';

const noGit = missingProgram('git', ['--version']);
const FILE = 'terraform/variables.tf';

const shapes: { name: string; text: string; talos?: string; kubernetes?: string | null }[] = [
  {
    name: 'plain block',
    text: 'variable "talos_version" {\n  default = "1.11.0"\n}\n',
  },
  {
    name: 'comments holding other versions',
    text: [
      '# default = "9.9.9"',
      '// talos_version = "2.0.0"',
      '/* variable "talos_version" { default = "3.0.0" } */',
      'variable "talos_version" {',
      '  # default = "1.0.0"',
      '  default = "1.11.0" # was 1.10.8',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'heredoc description that looks like a default',
    text: [
      'variable "talos_version" {',
      '  description = <<-EOT',
      '    Talos version. Example:',
      '    default = "7.7.7"',
      '  EOT',
      '  default     = "1.11.0"',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'type, description and validation before the default',
    text: [
      'variable "talos_version" {',
      '  type        = string',
      '  description = "Talos version (default = \\"0.0.1\\")"',
      '  validation {',
      '    condition     = can(regex("^v?[0-9]+\\\\.[0-9]+\\\\.[0-9]+$", var.talos_version))',
      '    error_message = "Must be X.Y.Z, e.g. default = 1.2.3."',
      '  }',
      '  nullable  = false',
      '  sensitive = false',
      '  default   = "1.11.0"',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'default first, then the rest',
    text: 'variable "talos_version" {\n  default     = "1.11.0"\n  type        = string\n  description = "x"\n}\n',
  },
  {
    name: 'one-line blocks',
    text: 'variable "talos_version_old" { default = "1.0.0" }\nvariable "talos_version" { default = "1.11.0" }\nvariable "kubernetes_version" { default = "1.34.1" }\n',
    kubernetes: '1.34.1',
  },
  {
    name: 'CRLF line endings',
    text: 'variable "talos_version" {\r\n  type    = string\r\n  default = "1.11.0"\r\n}\r\n',
  },
  {
    name: 'similar names around it',
    text: [
      'variable "talos_version_old" {',
      '  default = "1.0.0"',
      '}',
      'variable "old_talos_version" {',
      '  default = "1.1.0"',
      '}',
      'variable "talos_versions" {',
      '  default = ["1.2.0"]',
      '}',
      'variable "talos_version" {',
      '  default = "1.11.0"',
      '}',
      'variable "kubernetes_version_min" {',
      '  default = "1.20.0"',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'locals and resources using the same attribute name',
    text: [
      'locals {',
      '  talos_version = "4.0.0"',
      '}',
      'resource "terraform_data" "x" {',
      '  input = { talos_version = "5.0.0", default = "5.0.0" }',
      '}',
      'variable "talos_version" {',
      '  default = "1.11.0"',
      '}',
      '',
    ].join('\n'),
  },
  {
    name: 'leading v and odd spacing',
    text: 'variable   "talos_version"   {\n\tdefault="v1.11.0"\n}\n',
  },
  {
    name: 'many variables, kubernetes too',
    text: [
      'variable "proxmox_endpoint" {',
      '  type = string',
      '}',
      'variable "talos_version" {',
      '  type    = string',
      '  default = "v1.11.0"',
      '}',
      'variable "kubernetes_version" {',
      '  type    = string',
      '  default = "v1.34.1"',
      '}',
      'variable "nodes" {',
      '  type = map(object({ host = string, talos_version = optional(string, "6.0.0") }))',
      '  default = {}',
      '}',
      '',
    ].join('\n'),
    kubernetes: '1.34.1',
  },
];

describe.skipIf(noGit)('route reads variables.tf shapes', () => {
  const repos: GitFixture[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  const repoWith = (base: string, head: string) => {
    const repo = GitFixture.create();
    repos.push(repo);
    repo.write(FILE, base).commit('base');
    repo.write(FILE, head).commit('bump');
    return repo;
  };

  it.each(shapes)('$name', async ({ text, kubernetes }) => {
    const base = kubernetes ? variablesTf('1.10.8', '1.33.4') : variablesTf('1.10.8');
    const run = await route(repoWith(base, text).dir);
    expect(run.error).toBeUndefined();
    expect(run.document).toMatchObject({
      old_version: '1.10.8',
      new_version: '1.11.0',
      upgrade_type: 'cattle',
      version_changed: true,
      old_kubernetes_version: kubernetes ? '1.33.4' : null,
      new_kubernetes_version: kubernetes ?? null,
    });
    expect(run.exitCode).toBe(0);
  });

  describe('bad values quote the value and its file:line (exit 2)', () => {
    const bad: { name: string; text: string; line: number; quote: string; code?: string }[] = [
      {
        name: 'a word',
        text: 'variable "talos_version" {\n  type = string\n  default = "latest"\n}\n',
        line: 3,
        quote: '"latest"',
      },
      {
        name: 'an interpolation',
        text: 'variable "talos_version" {\n  default = "${var.base}"\n}\n',
        line: 2,
        quote: '${var.base}',
      },
      {
        name: 'a reference',
        text: 'variable "x" {}\nvariable "talos_version" {\n\n  default = local.v\n}\n',
        line: 4,
        quote: '${local.v}',
      },
      {
        name: 'an empty string',
        text: 'variable "talos_version" { default = "" }\n',
        line: 1,
        quote: '""',
      },
      {
        name: 'a number',
        text: '# n\nvariable "talos_version" {\n  default = 1.11\n}\n',
        line: 3,
        quote: 'number',
      },
      {
        name: 'a pre-release',
        text: 'variable "talos_version" {\n  default = "1.11.0-beta.1"\n}\n',
        line: 2,
        quote: '"1.11.0-beta.1"',
        code: 'PRERELEASE_VERSION',
      },
      {
        name: 'a two-part version',
        text: 'variable "talos_version" {\r\n  description = <<EOT\r\ndefault = "1.2.3"\r\nEOT\r\n  default = "1.11"\r\n}\r\n',
        line: 5,
        quote: '"1.11"',
      },
      {
        name: 'a null default',
        text: 'variable "talos_version" {\n  default = null\n}\n',
        line: 2,
        quote: 'null',
      },
    ];
    it.each(bad)('$name', async ({ text, line, quote, code }) => {
      const run = await route(repoWith(variablesTf('1.10.8'), text).dir);
      expect(run.exitCode).toBe(2);
      expect(run.error?.code).toBe(code ?? 'BAD_VERSION');
      expect(run.error?.message).toContain(`${FILE}:${line}`);
      expect(run.error?.message).toContain(quote);
    });

    it('routes a pre-release with --allow-prerelease', async () => {
      const run = await route(repoWith(variablesTf('1.10.8'), variablesTf('1.11.0-beta.1')).dir, {
        allowPrerelease: true,
      });
      expect(run.document).toMatchObject({ upgrade_type: 'cattle', new_version: '1.11.0-beta.1' });
    });

    it('reports a bad value at base too, naming the base revision', async () => {
      const run = await route(repoWith(variablesTf('stable'), variablesTf('1.11.0')).dir);
      expect(run.exitCode).toBe(2);
      expect(run.error?.message).toMatch(
        /terraform\/variables\.tf:3 at HEAD\^ \([0-9a-f]{7}\).*"stable"/,
      );
    });

    it('rejects broken HCL with the parser’s position', async () => {
      const run = await route(
        repoWith(variablesTf('1.10.8'), 'variable "talos_version" {\n  default = "1.11.0"\n').dir,
      );
      expect(run.exitCode).toBe(2);
      expect(run.error?.code).toBe('HCL_SYNTAX');
      expect(run.error?.message).toMatch(/variables\.tf:\d+/);
    });

    it('rejects a variable declared twice', async () => {
      const twice = `${variablesTf('1.11.0')}${variablesTf('1.11.1')}`;
      const run = await route(repoWith(variablesTf('1.10.8'), twice).dir);
      expect(run.error?.code).toBe('VARIABLE_DECLARED_TWICE');
    });
  });
});
