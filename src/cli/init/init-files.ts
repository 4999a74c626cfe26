/** What `drover init` writes into an infrastructure repository, and from where. */
import { join } from 'node:path';

export interface InitFile {
  /** Source, relative to the Drover package root. */
  from: string;
  /** Destination, relative to the target directory. */
  to: string;
  mode: number;
}

const RUNNER_FILES = ['Dockerfile', 'compose.yaml', '.env.example', '.gitignore', 'README.md'];
const RUNNER_SCRIPTS = ['provision-vm.sh', 'update-checksums.sh'];
const WORKFLOWS = [
  'talos-version-router.yaml',
  'upgrade-cattle.yaml',
  'upgrade-pets.yaml',
  'upgrade-kubernetes.yaml',
];

export const INIT_FILES: readonly InitFile[] = [
  { from: 'deploy/config/drover.yaml', to: 'drover.yaml', mode: 0o644 },
  { from: 'schema/drover.schema.json', to: '.drover/drover.schema.json', mode: 0o644 },
  ...WORKFLOWS.map((f) => ({
    from: `deploy/workflows/${f}`,
    to: join('.github/workflows', f),
    mode: 0o644,
  })),
  { from: 'deploy/actionlint.yaml', to: '.github/actionlint.yaml', mode: 0o644 },
  ...RUNNER_FILES.map((f) => ({
    from: `deploy/runner/${f}`,
    to: join('deploy/runner', f),
    mode: 0o644,
  })),
  ...RUNNER_SCRIPTS.map((f) => ({
    from: `deploy/runner/${f}`,
    to: join('deploy/runner', f),
    mode: 0o755,
  })),
];

/** The placeholder action reference in the router workflow, replaced by --action. */
export const ACTION_PLACEHOLDER = 'your-org/drover@v0';
