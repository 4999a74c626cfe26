/**
 * The router and the reusable upgrade workflow, made consistent with what init found: the
 * variables file and the Kubernetes source (none: no Kubernetes input, no Kubernetes job), the
 * cluster's concurrency groups, where Drover's action comes from, the job timeouts from the
 * plans, and the Terraform variables the cattle kind must receive as TF_VAR_* secrets.
 * Edited as YAML documents, so the templates' comments stay.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { RepoFacts } from './detect-repo.js';

export interface WorkflowChoices {
  facts: RepoFacts;
  /** owner/repo@ref of Drover's action (a release tag that carries dist/). */
  action: string;
  timeoutMinutes: { cattle: number; pets: number; kubernetes: number };
}

/** TF_VAR_<name> for Terraform, read from the secret TF_VAR_<NAME> (secret names are upper case). */
export function tfVarSecrets(facts: RepoFacts): { env: string; secret: string }[] {
  return facts.requiredVariables.map((name) => ({
    env: `TF_VAR_${name}`,
    secret: `TF_VAR_${name.toUpperCase()}`,
  }));
}

export function renderRouter(template: string, choices: WorkflowChoices): string {
  const { facts } = choices;
  const doc = parseDocument(template);
  const paths = [facts.variablesFile];
  if (facts.kubernetes.source === 'file') paths.push(facts.kubernetes.file);
  doc.setIn(['on', 'push', 'paths'], doc.createNode(paths));
  doc.setIn(['jobs', 'route', 'concurrency', 'group'], `drover-route-${facts.clusterName}`);
  const steps = doc.getIn(['jobs', 'route', 'steps']);
  if (!isSeq(steps)) throw new Error('router template: jobs.route.steps is not a list');
  const index = steps.items.findIndex((s) => isMap(s) && s.get('id') === 'route');
  doc.setIn(['jobs', 'route', 'steps', index, 'uses'], choices.action);
  doc.setIn(['jobs', 'route', 'steps', index, 'with', 'file'], facts.variablesFile);
  if (facts.kubernetes.source === 'file') {
    doc.setIn(['jobs', 'route', 'steps', index, 'with', 'kubernetes-file'], facts.kubernetes.file);
    doc.setIn(['jobs', 'route', 'steps', index, 'with', 'kubernetes-key'], facts.kubernetes.key);
  }
  if (facts.kubernetes.source === 'none') {
    doc.deleteIn(['jobs', 'kubernetes']);
    for (const key of ['kubernetes_upgrade', 'old_kubernetes_version', 'new_kubernetes_version'])
      doc.deleteIn(['jobs', 'route', 'outputs', key]);
  }
  for (const { secret } of tfVarSecrets(facts))
    doc.setIn(['jobs', 'cattle', 'secrets', secret], `\${{ secrets.${secret} }}`);
  return text(doc);
}

export function renderUpgrade(template: string, choices: WorkflowChoices): string {
  const { facts, timeoutMinutes: t } = choices;
  const doc = parseDocument(template);
  doc.setIn(
    ['jobs', 'upgrade', 'timeout-minutes'],
    `\${{ inputs.kind == 'cattle' && ${t.cattle} || inputs.kind == 'pets' && ${t.pets} || ${t.kubernetes} }}`,
  );
  doc.setIn(['jobs', 'upgrade', 'concurrency', 'group'], `drover-upgrade-${facts.clusterName}`);
  doc.setIn(['jobs', 'report-failure', 'env', 'CLUSTER'], facts.clusterName);
  const steps = doc.getIn(['jobs', 'upgrade', 'steps']);
  if (!isSeq(steps)) throw new Error('upgrade template: jobs.upgrade.steps is not a list');
  const index = steps.items.findIndex((s) => isMap(s) && s.get('id') === 'upgrade');
  for (const { env, secret } of tfVarSecrets(facts)) {
    doc.setIn(['on', 'workflow_call', 'secrets', secret], doc.createNode({ required: false }));
    doc.setIn(
      ['jobs', 'upgrade', 'steps', index, 'env', env],
      `\${{ inputs.kind == 'cattle' && secrets.${secret} || '' }}`,
    );
  }
  return text(doc);
}

function text(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
