/** What `drover init` prints: what it found, what it wrote or kept, and the next steps. */
import { tfVarSecrets } from './render-workflows.js';
import type { InitResult } from './run-init.js';

export function initSummary(result: InitResult): string {
  const { facts } = result;
  const lines = [`drover init: ${result.dir}`, '', 'Found:'];
  lines.push(`  variables  ${facts.variablesFile} (talos_version ${facts.talosVersion})`);
  lines.push(
    facts.kubernetes.source === 'variables'
      ? `  kubernetes ${facts.variablesFile} (kubernetes_version ${facts.kubernetes.version})`
      : facts.kubernetes.source === 'file'
        ? `  kubernetes ${facts.kubernetes.file} (${facts.kubernetes.key} ${facts.kubernetes.version})`
        : '  kubernetes none pinned: the router routes Talos only',
  );
  lines.push(
    facts.s3Backend
      ? `  backend    s3://${facts.s3Backend.bucket} (${facts.s3Backend.region}): state backups and the journal go beside it`
      : '  backend    no S3 backend: set backup.s3 in drover.yaml before a cattle upgrade (no VM is destroyed without a verified state backup)',
  );
  if (facts.requiredVariables.length > 0)
    lines.push(
      `  terraform  needs ${tfVarSecrets(facts)
        .map((s) => s.env)
        .join(', ')} (from secrets of the same name, upper case)`,
    );
  lines.push(`  cluster    ${facts.clusterName}`, '');
  for (const d of result.created) lines.push(`  created  ${d}/`);
  for (const f of result.written) lines.push(`  wrote    ${f}`);
  for (const f of result.skipped) lines.push(`  skipped  ${f} (exists; --force overwrites)`);
  const t = result.timeoutMinutes;
  lines.push(
    '',
    `Drover comes from ${result.action} (the router's action; the runner image builds the same tag).`,
    `Job timeouts from the plans: cattle ${t.cattle} min, pets ${t.pets} min, kubernetes ${t.kubernetes} min.`,
    '',
    'Next steps:',
    '  1. List your nodes in drover.yaml, then check it: drover plan cattle --config drover.yaml --to <version>',
    '  2. Provision the runner VM and start the runner: deploy/runner/README.md.',
    `  3. Add the repository secrets the workflows read: ${result.secrets.join(', ')}.`,
    '  4. Commit, then try a dry run: Actions -> "Drover upgrade" -> Run, dry-run checked.',
  );
  return `${lines.join('\n')}\n`;
}
