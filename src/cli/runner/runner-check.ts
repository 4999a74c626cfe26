/**
 * Does the runner image carry the tools the cluster needs? Compares the Dockerfile's pinned
 * versions with what the infrastructure repository pins, by each tool's own rule:
 *
 * - talosctl: the Talos line of the cluster, not older than its version ("Your talosctl version
 *   should match the version of Talos Linux you are running": docs.siderolabs.com, talos v1.13,
 *   getting-started/talosctl). After a Talos bump lands, the runner needs the new talosctl.
 * - kubectl: within one minor of the API server (Kubernetes version skew policy); the advice is
 *   the cluster's own minor.
 * - terraform: inside the configuration's `required_version` constraint.
 */
import semver from 'semver';

export interface ToolFinding {
  tool: 'talosctl' | 'kubectl' | 'terraform';
  /** The Dockerfile ARG that pins it. */
  arg: string;
  runner: string | undefined;
  needs: string;
  ok: boolean;
  /** What to set the ARG to when not ok. */
  advice?: string;
}

export interface ClusterNeeds {
  talos: string;
  kubernetes?: string;
  terraformConstraint?: string;
}

export function readDockerfileArgs(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/^ARG (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
  );
}

export function checkRunnerTools(args: Record<string, string>, needs: ClusterNeeds): ToolFinding[] {
  const findings: ToolFinding[] = [];
  const talosctl = args.TALOSCTL_VERSION;
  const talosLine = `${semver.major(needs.talos)}.${semver.minor(needs.talos)}`;
  const talosOk =
    talosctl !== undefined &&
    semver.valid(talosctl) !== null &&
    `${semver.major(talosctl)}.${semver.minor(talosctl)}` === talosLine &&
    semver.gte(talosctl, needs.talos);
  findings.push({
    tool: 'talosctl',
    arg: 'TALOSCTL_VERSION',
    runner: talosctl,
    needs: `${talosLine}.x, >= ${needs.talos}`,
    ok: talosOk,
    ...(talosOk ? {} : { advice: needs.talos }),
  });
  if (needs.kubernetes !== undefined) {
    const kubectl = args.KUBECTL_VERSION;
    const skew =
      kubectl !== undefined && semver.valid(kubectl) !== null
        ? semver.major(kubectl) === semver.major(needs.kubernetes)
          ? Math.abs(semver.minor(kubectl) - semver.minor(needs.kubernetes))
          : Infinity
        : Infinity;
    findings.push({
      tool: 'kubectl',
      arg: 'KUBECTL_VERSION',
      runner: kubectl,
      needs: `within one minor of ${needs.kubernetes}`,
      ok: skew <= 1,
      ...(skew <= 1 ? {} : { advice: needs.kubernetes }),
    });
  }
  if (needs.terraformConstraint !== undefined) {
    const terraform = args.TERRAFORM_VERSION;
    const range = terraformRange(needs.terraformConstraint);
    const ok = terraform !== undefined && range !== null && semver.satisfies(terraform, range);
    findings.push({
      tool: 'terraform',
      arg: 'TERRAFORM_VERSION',
      runner: terraform,
      needs: needs.terraformConstraint,
      ok,
      ...(ok
        ? {}
        : {
            advice:
              range === null
                ? `check by hand: cannot read the constraint "${needs.terraformConstraint}"`
                : `a version matching ${needs.terraformConstraint}`,
          }),
    });
  }
  return findings;
}

/**
 * Terraform's version constraint syntax as a semver range: commas are "and", `~> 1.6` allows
 * 1.6 up to (not including) 2.0, `~> 1.6.2` allows 1.6.2 up to 1.7.0. `!=` (rare) is not
 * translated: null, and the caller says the constraint needs checking by hand.
 */
export function terraformRange(constraint: string): string | null {
  const parts = constraint
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: string[] = [];
  for (const part of parts) {
    const m = /^(~>|>=|<=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})$/.exec(part);
    if (!m) return null;
    const [, op = '=', version] = m as unknown as [string, string | undefined, string];
    const nums = version.split('.').map(Number);
    const full = [...nums, 0, 0].slice(0, 3).join('.');
    if (op === '~>') {
      const upper = nums.length >= 3 ? `${nums[0]}.${nums[1]! + 1}.0` : `${nums[0]! + 1}.0.0`;
      out.push(`>=${full} <${upper}`);
    } else {
      out.push(`${op === '=' ? '' : op}${full}`);
    }
  }
  const range = out.join(' ');
  return semver.validRange(range) === null ? null : range;
}
