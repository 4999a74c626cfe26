/**
 * The starter drover.yaml (deploy/config/drover.yaml) made consistent with the repository:
 * its versions, its Terraform directory, its S3 backend as the backup target (a cattle upgrade
 * destroys no VM without a verified state backup) with the journal kept beside it, and its name.
 */
import type { RepoFacts } from './detect-repo.js';

export function renderConfig(template: string, facts: RepoFacts): string {
  let text = template;
  text = replaceLine(text, 'cluster: my-cluster', `cluster: ${facts.clusterName}`);
  text = replaceLine(text, '  talos: 1.10.8', `  talos: ${facts.talosVersion}`);
  text = replaceLine(
    text,
    '  kubernetes: 1.33.5',
    facts.kubernetes.source === 'none'
      ? '  # kubernetes: no Kubernetes version is pinned in this repository'
      : `  kubernetes: ${facts.kubernetes.version}`,
  );
  text = replaceLine(text, '  dir: terraform', `  dir: ${facts.terraformDir}`);
  const s3 = facts.s3Backend;
  if (s3 !== undefined) {
    const fields = [
      `bucket: ${s3.bucket}`,
      'prefix: drover',
      `region: ${s3.region}`,
      ...(s3.endpoint === undefined ? [] : [`endpoint: ${JSON.stringify(s3.endpoint)}`]),
      ...(s3.forcePathStyle ? ['forcePathStyle: true'] : []),
    ];
    text = replaceLine(
      text,
      '  # s3: { bucket: my-terraform-backups, prefix: drover, region: us-east-1 }',
      `  # The bucket of the Terraform state backend (found in ${facts.terraformDir}/*.tf).\n  s3: { ${fields.join(', ')} }`,
    );
    text = replaceLine(
      text,
      '  s3: false',
      '  # Also in backup.s3, so a rebuilt runner resumes.\n  s3: true',
    );
  }
  return text;
}

function replaceLine(text: string, line: string, replacement: string): string {
  const lines = text.split('\n');
  const index = lines.indexOf(line);
  // The template and this code change together; a drift is a bug here, not user input.
  if (index < 0) throw new Error(`deploy/config/drover.yaml no longer has the line "${line}"`);
  lines[index] = replacement;
  return lines.join('\n');
}
