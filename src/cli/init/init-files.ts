/** What `drover init` writes into an infrastructure repository, and from where. */
import { join } from 'node:path';

/** How a file is made consistent with the repository before it is written. */
export const RENDERERS = ['config', 'router', 'upgrade', 'compose'] as const;
export type Renderer = (typeof RENDERERS)[number];

export interface InitFile {
  /** Source, relative to the Drover package root. */
  from: string;
  /** Destination, relative to the target directory. */
  to: string;
  mode: number;
  render?: Renderer;
}

const RUNNER_FILES = ['Dockerfile', '.env.example', 'README.md'];
const RUNNER_SCRIPTS = ['provision-vm.sh', 'update-checksums.sh', 'runner-health.sh'];

export const ROUTER_WORKFLOW = '.github/workflows/talos-version-router.yaml';
export const UPGRADE_WORKFLOW = '.github/workflows/drover-upgrade.yaml';

export const INIT_FILES: readonly InitFile[] = [
  { from: 'deploy/config/drover.yaml', to: 'drover.yaml', mode: 0o644, render: 'config' },
  { from: 'schema/drover.schema.json', to: '.drover/drover.schema.json', mode: 0o644 },
  {
    from: 'deploy/workflows/talos-version-router.yaml',
    to: ROUTER_WORKFLOW,
    mode: 0o644,
    render: 'router',
  },
  {
    from: 'deploy/workflows/drover-upgrade.yaml',
    to: UPGRADE_WORKFLOW,
    mode: 0o644,
    render: 'upgrade',
  },
  { from: 'deploy/actionlint.yaml', to: '.github/actionlint.yaml', mode: 0o644 },
  {
    from: 'deploy/runner/compose.yaml',
    to: 'deploy/runner/compose.yaml',
    mode: 0o644,
    render: 'compose',
  },
  // Stored without its dot: npm leaves every .gitignore out of a package.
  { from: 'deploy/runner/gitignore', to: 'deploy/runner/.gitignore', mode: 0o644 },
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

/** The placeholder action reference in the router template; init always replaces it. */
export const ACTION_PLACEHOLDER = 'your-org/drover@v0';
/** The Drover source of the runner's build stage in this repository (its own checkout). */
export const SOURCE_PLACEHOLDER = 'drover-source: ../..';
