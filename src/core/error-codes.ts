/**
 * Every error code Drover raises, with its one category (which decides the exit code: see
 * EXIT_CODES in errors.ts), whether retrying the same call may succeed, what it means and what
 * the operator does about it by default. DroverError accepts only these codes, and its category
 * must be the one listed here; the engine retries only codes marked retryable. A situation that
 * is retryable one time and final another is two codes. docs/errors.md is generated from this
 * table (`node scripts/gen-errors-doc.mjs`); a test fails when the two differ.
 */
import type { ErrorCategory } from './errors.js';

export interface ErrorCodeEntry {
  readonly category: ErrorCategory;
  /** Whether the same call may succeed when tried again (the engine retries it per policy.retry). */
  readonly retryable: boolean;
  readonly meaning: string;
  /** Used when the raising site gives no more specific hint. */
  readonly hint: string;
}

const final = <C extends ErrorCategory>(category: C, meaning: string, hint: string) =>
  ({ category, retryable: false, meaning, hint }) as const;
const retryable = <C extends ErrorCategory>(category: C, meaning: string, hint: string) =>
  ({ category, retryable: true, meaning, hint }) as const;

const RESUME = 'Fix the cause, then run again with --resume.';

export const ERROR_CODES = {
  // The run as a whole.
  ABORTED: final(
    'aborted',
    'The run was cancelled (signal or abort).',
    'Run again with --resume to continue from the journal.',
  ),
  STOPPED: final('failed', 'The run stopped on an error outside any step.', RESUME),
  UNEXPECTED: final(
    'failed',
    'An error Drover did not classify (a bug, or a failure it does not know).',
    'Run with DROVER_DEBUG=1 for the stack and report it.',
  ),
  WINDOW_CLOSED: final(
    'aborted',
    'The maintenance window closed: the run stopped cleanly between nodes (exit 4).',
    'Run again with --resume inside the next window.',
  ),
  OUTSIDE_WINDOW: final(
    'refused',
    'The run started outside every maintenance window.',
    'Start it inside a window, or change maintenance.windows.',
  ),
  WINDOW_TOO_SHORT: final(
    'refused',
    'No maintenance window is long enough for a node to finish inside it.',
    'Lengthen a window, or lower the expected durations.',
  ),
  WINDOW_INVALID: final(
    'input',
    'A maintenance window in the config cannot be parsed.',
    'Write each window as <days> <HH:MM>-<HH:MM> [zone]; docs/configuration.md shows the grammar.',
  ),

  // Command line and inputs.
  BAD_INPUT: final(
    'usage',
    'A GitHub Action input has a value it does not take.',
    'Fix the input in the workflow.',
  ),
  KIND_INVALID: final(
    'usage',
    'The upgrade kind is not one Drover knows.',
    'Use cattle, pets or kubernetes.',
  ),
  SELECTION_INVALID: final(
    'usage',
    'A node selection flag (--nodes, --role, --limit, --phase, --canary) has a bad value.',
    'See drover upgrade --help for the values each flag takes.',
  ),
  SELECTION_NOT_FOR_KIND: final(
    'usage',
    'A node selection was given for an upgrade kind that cannot be limited.',
    'Run a Kubernetes upgrade without --nodes, --role, --limit, --phase and --canary.',
  ),
  SELECTION_EMPTY: final(
    'usage',
    'The selection flags select no node of the plan.',
    'Check the flags against each other.',
  ),
  SELECTION_CONFLICT: final(
    'usage',
    'Two selection flags contradict each other.',
    'Give one of the conflicting flags.',
  ),
  SELECTION_UNKNOWN_NODES: final(
    'input',
    '--nodes names nodes that are not in the config.',
    "Name nodes of the config's nodes list.",
  ),
  CONFIG_MISSING: final(
    'usage',
    'No config was given or found.',
    'Pass --config FILE, or set DROVER_CONFIG.',
  ),
  CONFIG_NOT_FOUND: final(
    'input',
    'The config file cannot be read.',
    'Pass --config with the path of drover.yaml.',
  ),
  CONFIG_INVALID: final(
    'input',
    'The config file does not validate.',
    'Fix the named fields; docs/configuration.md describes them.',
  ),
  YAML_SYNTAX: final('input', 'A YAML file does not parse.', 'Fix the file at the line named.'),
  JOURNAL_REQUIRED: final(
    'usage',
    'The command needs a journal file that outlives the process.',
    'Pass --journal FILE.',
  ),
  WORLD_REQUIRED: final(
    'usage',
    'simulate --resume needs the saved world of the run it continues.',
    'Pass the same --world FILE the interrupted run used.',
  ),
  NOTHING_TO_RESUME: final(
    'usage',
    'The journal holds no run to resume.',
    'Run without --resume, or point --journal at the right file.',
  ),
  SERVE_FLAGS_INVALID: final(
    'usage',
    'simulate --serve was given flags of an upgrade run.',
    'Give --serve only --scenario, --seed and --json.',
  ),
  SERVE_DIR_INVALID: final(
    'input',
    'The directory for the simulated API server files cannot be created.',
    'Give a writable directory.',
  ),
  SERVE_TLS_FAILED: final(
    'failed',
    'openssl could not make a certificate for the simulated API server.',
    'Install openssl, or use --api http.',
  ),
  RELEASE_GATE_USAGE: final(
    'usage',
    '--min-release-age is not a number of days, or lacks --release-list.',
    'Give --min-release-age DAYS together with --release-list FILE.',
  ),
  RELEASE_LIST_INVALID: final(
    'input',
    'The release list file is not a list of releases.',
    'Give a YAML or JSON list of { version, publishedAt }.',
  ),
  ACTION_REF_INVALID: final(
    'usage',
    '--action is not OWNER/REPO[@REF].',
    'Example: --action my-org/drover@v1.',
  ),
  DROVER_SOURCE_REQUIRED: final(
    'usage',
    'init needs to know where Drover is released.',
    'Pass --action OWNER/REPO[@REF].',
  ),

  // Versions, routes and plans.
  VERSION_INVALID: final(
    'input',
    'A version is not a release version.',
    'Give a release version such as 1.11.0.',
  ),
  VERSION_MISSING: final(
    'input',
    'The current version is unknown.',
    'Pass it as a flag, or record the current version in the config.',
  ),
  BAD_VERSION: final(
    'input',
    'A Terraform variable holds something other than a version string.',
    'Quote the version in the variables file, e.g. "1.11.0".',
  ),
  PRERELEASE_VERSION: final(
    'input',
    'A Terraform variable holds a pre-release version.',
    'Drover upgrades to releases only; use a release version.',
  ),
  KUBERNETES_VERSION_PARTIAL: final(
    'input',
    'The Kubernetes version variable exists at one revision and not at the other.',
    'Track the Kubernetes version at both revisions, or at neither.',
  ),
  HOPS_INVALID: final(
    'input',
    'The list of upgrade hops is not a valid path to the target.',
    'List the hops in order, ending with the target version.',
  ),
  K8S_VERSIONS_MISSING: final(
    'input',
    'A Kubernetes upgrade was asked for without the Kubernetes versions.',
    'Pass kubernetes: { from, to }.',
  ),
  DOWNGRADE: final(
    'refused',
    'The Talos target is lower than the running version.',
    'Pass --allow-downgrade if it is meant.',
  ),
  DOWNGRADE_MULTI_HOP: final(
    'refused',
    'The Talos target is lower than the running version by more than one hop: a downgrade rebuilds the nodes (cattle), which cannot go through intermediate hops.',
    'Downgrade one line at a time, to each hop the reason names.',
  ),
  FORBIDDEN_HOP: final(
    'refused',
    'The Talos compatibility table forbids this jump in one step.',
    'Upgrade through the hops named, or pass --allow-multi-hop.',
  ),
  CATTLE_MULTI_HOP: final(
    'refused',
    'A cattle plan through intermediate hops: its templates come from the version Terraform holds, and a fresh node must not skip an etcd minor.',
    'Upgrade in place through every hop (pets --allow-multi-hop), or run one cattle upgrade per hop.',
  ),
  RELEASE_UNKNOWN: final(
    'refused',
    'The release gate: the Talos target is not in the release list.',
    'Add it to the list (with its publishedAt) once released, or target a listed release.',
  ),
  RELEASE_NOT_LATEST_PATCH: final(
    'refused',
    'The release gate: the Talos target is not the newest patch of its line in the release list.',
    'Target the newest patch the reason names.',
  ),
  RELEASE_TOO_NEW: final(
    'refused',
    'The release gate: the Talos target was published fewer days ago than the minimum age.',
    'Wait until the time the reason names, or lower --min-release-age / releaseGate.minAgeDays.',
  ),
  UNKNOWN_TARGET_LINE: final(
    'refused',
    'The Talos target line is not in the compatibility data.',
    'Update Drover, or pass --allow-unknown.',
  ),
  K8S_DOWNGRADE: final(
    'refused',
    'The Kubernetes target is lower than the running version.',
    'talosctl upgrade-k8s cannot downgrade; restore from a backup instead.',
  ),
  K8S_SKIPPED_MINOR: final(
    'refused',
    'The Kubernetes upgrade skips a minor version.',
    'Upgrade Kubernetes one minor version at a time.',
  ),
  K8S_OUT_OF_RANGE: final(
    'refused',
    'The Kubernetes version is outside the range the Talos line supports.',
    'Move Talos or Kubernetes first so the pair is supported.',
  ),
  K8S_PATH_UNSUPPORTED: final(
    'refused',
    'There is no Kubernetes upgrade path between the two versions.',
    'Kubernetes upgrades go one minor version at a time within a major.',
  ),
  INVENTORY_INVALID: final(
    'input',
    'The node inventory is inconsistent.',
    'Fix the named fields in the config (or scenario) and run again.',
  ),
  INVENTORY_MISMATCH: final(
    'input',
    "The config's nodes do not match the cluster's.",
    'Make the nodes list of the config match the cluster.',
  ),
  POLICY_INVALID: final(
    'input',
    'A policy value is out of range.',
    'Set it to the range the message names.',
  ),
  PLAN_DUPLICATE_STEP: final(
    'input',
    'Two plan steps share an id.',
    'Node names and template addresses must be unique in the inventory.',
  ),
  PLAN_INVENTORY_MISMATCH: final(
    'input',
    'The plan names a node the inventory does not have.',
    'Build the plan and the estimate from the same inventory.',
  ),
  PLAN_INVALID: final(
    'input',
    'A plan step has an action this Drover does not know, lacks a parameter its action needs or has one of the wrong kind (checked before the plan runs or is printed).',
    'Build the plan again with this Drover (`drover plan`), or run `drover upgrade`, which builds its own.',
  ),
  NO_CONTROL_PLANE: final(
    'input',
    'The inventory has no control plane node.',
    'List the control plane nodes in the config.',
  ),
  PATCH_UNKNOWN: final(
    'input',
    'A node names a machine config patch the config does not define.',
    'Define the patch, or remove it from the node.',
  ),
  PATCH_INVALID: final(
    'input',
    'A machine config patch is not a YAML map of machine config fields.',
    'Fix the patch.',
  ),
  MACHINE_CONFIG_INVALID: final(
    'input',
    'The machine config does not parse as a Talos machine config.',
    'Check the machine config source.',
  ),
  MACHINE_CONFIG_SOURCE_UNKNOWN: final(
    'input',
    'A node names a machine config source the config does not define.',
    'Define it under machineConfigs, or fix the node.',
  ),
  MACHINE_CONFIG_SOURCE_UNSUPPORTED: final(
    'input',
    'The machine config source kind is for the simulated cluster only.',
    'Use sops-file or env.',
  ),
  SCHEMATIC_INVALID: final(
    'input',
    'A schematic is not an Image Factory schematic id.',
    'Use the 64-hex-digit id the Image Factory returned.',
  ),
  CHECK_UNKNOWN: final(
    'refused',
    'The plan names a health check this Drover does not know or was not given: safety cannot be judged.',
    'Use coredns, ceph, deployments, helmreleases, or a custom gate the config defines.',
  ),

  // Repository, route and init.
  REPOSITORY_NOT_FOUND: final(
    'input',
    '--repo is not a directory.',
    'Pass --repo with the path of a clone of the infrastructure repository.',
  ),
  NOT_A_GIT_REPOSITORY: final(
    'input',
    '--repo is not inside a git repository.',
    'Pass --repo with the path of a clone of the infrastructure repository.',
  ),
  REVISION_NOT_FOUND: final(
    'input',
    'A revision is not in the clone.',
    'Check out with enough history (fetch-depth: 0).',
  ),
  FILE_NOT_FOUND: final(
    'input',
    'The variables file does not exist at the revision.',
    'Pass --file with the path of the variables file.',
  ),
  PATH_OUTSIDE_REPOSITORY: final(
    'usage',
    'A path is not inside the repository.',
    'Give paths relative to --repo.',
  ),
  VARIABLE_NOT_FOUND: final(
    'input',
    'The version variable has no value in the file.',
    'Pass --variable with the name of the Talos version variable.',
  ),
  VARIABLE_DECLARED_TWICE: final(
    'input',
    'A Terraform variable is declared more than once.',
    'Terraform rejects duplicate variables; keep one.',
  ),
  HCL_SYNTAX: final(
    'input',
    'A Terraform file is not valid HCL.',
    'Run terraform fmt or terraform validate on the file to see the problem.',
  ),
  TFVARS_SYNTAX: final('input', 'A variables file does not parse.', 'Fix the file.'),
  GIT_FAILED: final(
    'failed',
    'git could not read a file at a revision.',
    'Check the revision and the path.',
  ),
  GITHUB_EVENT_UNREADABLE: final(
    'input',
    'The GitHub event file cannot be read.',
    'The runner sets GITHUB_EVENT_PATH; pass the revisions explicitly outside Actions.',
  ),
  HCL_PARSER_UNAVAILABLE: final(
    'failed',
    'The HCL parser did not load.',
    'Reinstall Drover; report it if it persists.',
  ),
  INIT_ASSETS_MISSING: final(
    'failed',
    "Drover's deploy/ files cannot be found.",
    'Run drover from its package or repository.',
  ),
  INIT_DIR_MISSING: final(
    'input',
    'The directory given to init does not exist.',
    'Give the root of your infrastructure repository.',
  ),
  INIT_NOT_A_DIRECTORY: final(
    'input',
    'The path given to init is not a directory.',
    'Give the root of your infrastructure repository.',
  ),
  INIT_NOT_A_GIT_REPOSITORY: final(
    'input',
    'The directory given to init is not the root of a git repository.',
    'Run init at the top of the clone.',
  ),
  INIT_VARIABLES_NOT_FOUND: final(
    'input',
    'init found no Terraform variables file.',
    'Run init at the root of the infrastructure repository.',
  ),
  INIT_TALOS_VERSION_NOT_FOUND: final(
    'input',
    'The variables file declares no talos_version with a default.',
    'Declare variable "talos_version" with a default.',
  ),
  INIT_VERSION_INVALID: final(
    'input',
    'The default of a version variable is not a version.',
    'Give it a release version such as "1.11.0".',
  ),
  DOCKERFILE_NOT_FOUND: final(
    'input',
    'The runner Dockerfile cannot be read.',
    'Give --dockerfile PATH.',
  ),

  // Journal and run identity.
  JOURNAL_CORRUPT: final(
    'input',
    'A journal line is not a journal entry.',
    'The journal was edited or damaged; restore it, or start a fresh run with another --journal.',
  ),
  JOURNAL_UNREADABLE: final(
    'input',
    'The journal file cannot be read.',
    'Check the path and its permissions.',
  ),
  JOURNAL_EMPTY: final('input', 'The journal records no run.', 'Give the journal of the run.'),
  JOURNAL_OTHER_RUN: final(
    'input',
    'The journal was written for another cluster, config or plan.',
    'Use the journal of this run, or another --journal for a fresh one.',
  ),
  JOURNAL_UNFINISHED: final(
    'input',
    'The journal holds an unfinished run and --resume was not given.',
    'Pass --resume to finish it, or use another --journal.',
  ),
  JOURNAL_LOCKED: final(
    'refused',
    'Another Drover process is using the journal.',
    'Wait for it, or remove the lock file if that process is gone.',
  ),
  JOURNAL_WRITE_FAILED: final(
    'failed',
    'An entry could not be appended to the journal.',
    'Check the journal path is writable and the disk is not full.',
  ),
  JOURNAL_CONFLICT: final(
    'failed',
    'Another writer keeps changing the journal object.',
    'Two runners are writing the same journal; stop one.',
  ),

  // Locks, leases and silences.
  LOCK_HELD: final(
    'refused',
    'Another upgrade holds the cluster lock.',
    'Wait for it to finish; a crashed holder expires after its TTL.',
  ),
  LOCK_NOT_HELD: final(
    'refused',
    'This run holds no cluster lease, so it does not act.',
    'Run through drover upgrade, which takes the lock.',
  ),
  LOCK_LOST: final(
    'failed',
    'This run lost the cluster lock while running (another run took it, or it could not renew it for a whole TTL).',
    'Check who holds the Lease and the API server, then --resume.',
  ),
  LOCK_CONTENDED: final(
    'failed',
    'The lease kept changing while this run tried to take it.',
    'Another process is taking the lock at the same time; run again.',
  ),
  LEASE_CONFLICT: final(
    'refused',
    'A Lease write lost a race with another holder (HTTP 409).',
    'Another Drover run holds or just took the lock; read the Lease to see who holds it.',
  ),
  LEASE_REQUEST_TIMEOUT: retryable(
    'failed',
    'The Kubernetes API did not answer a Lease request in time.',
    'The lease renewal is retried; check the API server if it persists.',
  ),
  ALERTMANAGER_AUTH_MISSING: final(
    'input',
    'The environment variable with the Alertmanager credentials is not set.',
    'Set the variable alertmanager.bearerTokenEnv or basicAuthEnv names.',
  ),
  ALERTMANAGER_ERROR: final(
    'failed',
    'Alertmanager refused a silence request.',
    'Check alertmanager.url and its auth.',
  ),
  ALERTMANAGER_UNREACHABLE: retryable(
    'failed',
    'Alertmanager did not answer.',
    'Check alertmanager.url and the network.',
  ),
  SILENCE_CREATE_FAILED: final(
    'refused',
    'The Alertmanager silence could not be created (onCreateFailure: refuse).',
    'Fix alertmanager.url or its auth, or set alertmanager.onCreateFailure: warn.',
  ),
  SILENCE_EXPIRED_ELSEWHERE: final(
    'failed',
    'The silence was expired outside Drover.',
    'Drover creates a new one; nothing to do unless it repeats.',
  ),

  // Gates and safety checks.
  PRE_ACT_BLOCKED: final(
    'refused',
    'A destructive step waited for its safety re-check (budget, etcd, Ceph, lease) until the deadline.',
    'Nothing was done to the node; fix what the message names, then --resume.',
  ),
  HEALTH_GATE_BLOCKED: final(
    'refused',
    'The cluster was not healthy enough to take a node down before the deadline.',
    'Fix the cluster, then run again with --resume.',
  ),
  POST_CHECKS_FAILED: final(
    'failed',
    'Workloads did not settle after the node came back.',
    'Inspect them, then run again with --resume.',
  ),
  API_NOT_STABLE: final(
    'refused',
    'The Kubernetes API did not answer steadily before the deadline.',
    'Check the control plane, then --resume.',
  ),
  ETCD_UNHEALTHY: final(
    'refused',
    'etcd was not healthy enough to take a member out before the deadline.',
    'Fix etcd, then --resume.',
  ),
  ETCD_SINGLE_MEMBER: final(
    'refused',
    'Removing the only etcd member would lose the cluster.',
    'Add control plane nodes first.',
  ),
  ETCD_QUORUM_WOULD_BREAK: final(
    'refused',
    'Taking this member out would leave etcd without quorum.',
    'Bring the unhealthy members back first.',
  ),
  ETCD_REJOIN_TIMEOUT: final(
    'failed',
    'The new etcd member did not join and sync before the deadline.',
    'Check the node and etcd, then --resume.',
  ),
  ETCD_LEAVE_FAILED: final(
    'failed',
    'The etcd member did not leave before the deadline.',
    'Remove the member from a healthy control plane node, then --resume.',
  ),
  ETCD_LEADERSHIP_NOT_MOVED: final(
    'failed',
    'The node still leads etcd after forfeit-leadership.',
    'Check etcd health; a leader must not leave.',
  ),
  DISRUPTION_BUDGET_EXHAUSTED: final(
    'refused',
    'Nodes out of service on their own use the whole disruption budget.',
    'Bring those nodes back, or raise policy.disruption.',
  ),
  STORAGE_POOLS_UNKNOWN: final(
    'refused',
    "The Ceph pools' replication could not be read (a list failed, RBAC 403 included, or a pool is not Ready) until the deadline: how many storage domains may go down is unknown.",
    'Grant get/list on cephblockpools, cephfilesystems and cephobjectstores (ceph.rook.io) to the runner, or let the pools become Ready, then run again (--resume continues this run).',
  ),
  STORAGE_POOLS_NO_TOLERANCE: final(
    'refused',
    "A Ceph pool tolerates no storage failure domain down (size 1, min_size equal to size, or a failure domain finer than Drover's), so no OSD node may go: refused before anything was touched.",
    "Raise the pool's replicated.size (or lower parameters.min_size), or set its failureDomain to the storage domain Drover counts (gates.ceph.failureDomain), then run again.",
  ),
  CAPACITY_SHORT: final(
    'refused',
    'The pods a worker batch would evict find no room on the workers staying in service.',
    "Free CPU or memory on the other workers (or lower the pods' requests), then --resume.",
  ),
  DRAIN_REFUSED: final(
    'refused',
    'The node has pods a drain must not evict.',
    'Nothing was evicted; move those pods, or allow it in the config.',
  ),
  DRAIN_BLOCKED: final(
    'failed',
    'Evictions were refused (PodDisruptionBudget) for the whole graceful period.',
    'Look at the budgets that block, then --resume.',
  ),
  DRAIN_PODS_STUCK: final(
    'failed',
    'Evicted pods did not terminate in time.',
    'Look at the pods (finalizers, stuck volumes), then --resume.',
  ),
  COMMAND_GATE_BLOCKED: final(
    'refused',
    'A command gate exited with a blocking status.',
    "Fix what the gate's output names, then --resume.",
  ),
  COMMAND_GATE_PROGRAM_NOT_FOUND: final(
    'input',
    'A command gate program cannot be started.',
    'Nothing was touched; install it on the runner or fix its path.',
  ),
  COMMAND_GATE_UNWIRED: final(
    'failed',
    'A command gate cannot run in this context.',
    'Report it: the gate was called without its runner.',
  ),
  CUSTOM_GATE_OBJECT_MISSING: final(
    'failed',
    'The object a custom gate reads does not exist.',
    'Create it, or fix the gate.',
  ),
  HOOK_FAILED: final(
    'failed',
    'A hook command did not exit 0.',
    'Fix the command (hooks in the config), then --resume.',
  ),
  HOOK_PROGRAM_NOT_FOUND: final(
    'input',
    'A hook program cannot be started.',
    'Nothing was touched; install it on the runner or fix its path.',
  ),
  INSTALLER_IMAGE_MISSING: final(
    'refused',
    'An installer image does not exist in its registry.',
    'Nothing was cordoned; fix the schematic or the version.',
  ),
  REGISTRY_UNREACHABLE: final(
    'refused',
    'Whether an installer image exists cannot be told.',
    'Nothing was cordoned; check the registry and the network.',
  ),
  VALIDATION_FAILED: final(
    'failed',
    'The cluster did not pass validation before the deadline.',
    'Inspect the cluster, then --resume.',
  ),
  CLUSTER_UNREACHABLE: final(
    'failed',
    "The cluster's nodes cannot be listed.",
    'Check the kubeconfig and that the API server is reachable.',
  ),

  // Nodes and Talos.
  NODE_NOT_READY: final(
    'failed',
    'The node did not become Ready in time.',
    "Look at the node's console and services.",
  ),
  GPU_NOT_READY: final(
    'failed',
    'The node did not advertise its GPUs in time.',
    "Look at the node's GPU operator and drivers.",
  ),
  NODE_NOT_FOUND: final('failed', 'The node is not in the cluster.', 'Check the node name.'),
  UNCORDON_REFUSED: final(
    'failed',
    'The node is not Ready at the target version, so it stays cordoned.',
    'Fix the node, then --resume.',
  ),
  VERSION_MISMATCH: final(
    'failed',
    'The node did not report the target Talos or kubelet version in time.',
    'Check the node, then --resume.',
  ),
  MAINTENANCE_TIMEOUT: final(
    'failed',
    'The new VM did not reach maintenance mode in time.',
    'Look at the VM console in Proxmox, then --resume.',
  ),
  TALOS_UNREACHABLE: retryable(
    'failed',
    "The node's Talos API did not answer (rebooting, apid restarting, network).",
    'Drover retries; check the node is up if it persists.',
  ),
  TALOS_NODE_UNREACHABLE: final(
    'failed',
    'The node does not answer, so it was not upgraded.',
    'Check that the node is up and its Talos API reachable, then --resume.',
  ),
  TALOS_NODE_NOT_BACK: final(
    'failed',
    'The node did not answer within the deadline after its upgrade.',
    "Look at the node's console, then --resume.",
  ),
  TALOS_VERSION_FAILED: final(
    'failed',
    'talosctl version failed (not a network drop).',
    'Check that the node is up and the talosconfig is valid.',
  ),
  TALOS_VERSION_UNKNOWN: retryable(
    'failed',
    'talosctl version printed no server version for the node.',
    'The node did not answer; check it is up.',
  ),
  TALOS_BOOT_ID_FAILED: final(
    'failed',
    'Reading the boot id failed (not a network drop).',
    'Check that the node is up and the talosconfig is valid.',
  ),
  TALOS_OUTPUT_UNEXPECTED: final(
    'failed',
    'talosctl printed output Drover cannot read.',
    'Check that the talosctl version matches the runner pin.',
  ),
  TALOS_APPLY_CONFIG_FAILED: final(
    'failed',
    'talosctl apply-config failed.',
    'Probe the node first; an --insecure apply needs maintenance mode.',
  ),
  TALOS_CONFIG_INVALID: final(
    'failed',
    'The node rejected the machine config.',
    'Fix the machine config or its patches.',
  ),
  TALOS_PROBE_FAILED: final(
    'failed',
    'The probe answer cannot be classified, so it is never taken as ready.',
    'Check the address by hand.',
  ),
  TALOS_OLD_VM_ANSWERS: final(
    'failed',
    'The old VM still answers at the address of its replacement.',
    'Check in Proxmox that the old VM is gone, then --resume.',
  ),
  TALOS_TLS: final(
    'failed',
    'The address answered with a certificate this talosconfig does not trust, or required one.',
    'Probe it: a VM in maintenance mode, or a Talos of another cluster.',
  ),
  TALOS_X509: final(
    'failed',
    'The node presented a certificate this talosconfig does not trust.',
    'Probe it: a VM in maintenance mode, or a Talos of another cluster.',
  ),
  TALOS_MEMBER_ID_INVALID: final(
    'input',
    'An etcd member id is not 16 hex digits.',
    'Take the id from talosctl etcd members.',
  ),
  TALOS_ETCD: final('failed', 'An etcd call through Talos failed.', 'Check etcd health.'),
  TALOS_ETCD_NO_LEADER: retryable(
    'failed',
    'etcd has no leader at the moment (an election is under way).',
    'Drover retries; check etcd if it persists.',
  ),
  TALOS_ETCD_MEMBERS_FAILED: final(
    'failed',
    'talosctl etcd members failed.',
    'Query another healthy control plane node.',
  ),
  TALOS_ETCD_STATUS_FAILED: final(
    'failed',
    'talosctl etcd status failed as a whole (not per node).',
    'Check the talosconfig and the endpoints.',
  ),
  TALOS_ETCD_LEAVE_FAILED: final(
    'failed',
    'talosctl etcd leave failed.',
    'Remove the member from a healthy control plane node instead (etcd remove-member).',
  ),
  TALOS_ETCD_FORFEIT_FAILED: final(
    'failed',
    'talosctl etcd forfeit-leadership failed.',
    'Check etcd health before its member leaves.',
  ),
  TALOS_ETCD_REMOVE_FAILED: final(
    'failed',
    'talosctl etcd remove-member failed.',
    'Run it through another healthy control plane node.',
  ),
  TALOS_IMAGE_PULL: final(
    'failed',
    'The node could not pull the installer image.',
    'Check the image, the registry and the node network.',
  ),
  TALOS_UPGRADE_UNREACHABLE: retryable(
    'failed',
    'talosctl lost the node during its upgrade (rebooting, upgraded or rolled back): not a refusal.',
    'Read its version and boot ID before deciding anything; never upgrade it again blindly.',
  ),
  TALOS_UPGRADE_REJECTED: final(
    'failed',
    'The node refused the upgrade before starting it.',
    'Fix the cause named in the message.',
  ),
  TALOS_UPGRADE_FAILED: final(
    'failed',
    'talosctl upgrade failed for another reason.',
    "Read the node's version and boot ID before retrying.",
  ),
  TALOS_UPGRADE_ROLLED_BACK: final(
    'failed',
    'The node rebooted but came back on its old Talos version.',
    'Look at the node console for why the new version did not boot.',
  ),
  TALOS_UPGRADE_ATTEMPTS: final(
    'failed',
    'The node still runs its old version on the same boot after every upgrade call.',
    "Look at the node's services, then --resume.",
  ),
  TALOS_K8S_UPGRADE: final(
    'failed',
    'talosctl upgrade-k8s failed.',
    'Read the message, fix the cause, then --resume.',
  ),
  TALOS_K8S_UPGRADE_FAILED: final(
    'failed',
    'talosctl upgrade-k8s failed.',
    'Read the message, fix the cause, then --resume.',
  ),
  TALOS_K8S_INCOMPATIBLE: final(
    'refused',
    'talosctl upgrade-k8s refused: the target is outside what this Talos supports.',
    'Upgrade Talos first.',
  ),
  TALOS_K8S_UPGRADE_PATH: final(
    'refused',
    'talosctl upgrade-k8s refused the upgrade path.',
    'Upgrade Kubernetes one minor at a time.',
  ),
  TALOS_K8S_REMOVED_APIS: final(
    'refused',
    'The cluster still uses APIs the target Kubernetes removes.',
    'Migrate the named resources first.',
  ),
  TALOSCONFIG_MISSING: final(
    'input',
    'The talosconfig does not exist.',
    'Point --talosconfig or TALOSCONFIG at it.',
  ),

  // Kubernetes API.
  KUBE_UNAVAILABLE: retryable(
    'failed',
    'The Kubernetes API did not answer, or answered 5xx or 429.',
    'Drover retries reads; check the control plane if it persists.',
  ),
  KUBE_FORBIDDEN: final(
    'failed',
    'The Kubernetes API refused the credentials (401/403).',
    'Check the kubeconfig credentials and the ClusterRole in docs/kubernetes.md.',
  ),
  KUBE_REQUEST_FAILED: final(
    'failed',
    'The Kubernetes API refused the request as sent.',
    'See the server message.',
  ),
  KUBECONFIG_MISSING: final(
    'input',
    'No kubeconfig was given or found.',
    'Pass --kubeconfig FILE or set KUBECONFIG.',
  ),
  KUBECONFIG_INVALID: final(
    'input',
    'The kubeconfig cannot be loaded.',
    'Pass --kubeconfig FILE or set KUBECONFIG.',
  ),
  KUBECONFIG_CONTEXT: final(
    'input',
    'The context is not in the kubeconfig.',
    'Pass --context with a known context.',
  ),
  KUBECONFIG_NO_CLUSTER: final(
    'input',
    'The kubeconfig has no current cluster.',
    'Set current-context or pass --context.',
  ),
  WAIT_TIMEOUT: final(
    'failed',
    'The cluster did not reach the expected state in time.',
    'Inspect what the message names, then --resume.',
  ),

  // Storage.
  CEPH_COMMAND_FAILED: final(
    'failed',
    'A ceph command in the Rook toolbox failed.',
    'Check the Ceph cluster and the toolbox pod.',
  ),
  CEPH_UNAVAILABLE: retryable(
    'failed',
    'The Rook toolbox could not be reached (exec or network failure).',
    'Drover retries; check the toolbox pod if it persists.',
  ),
  CEPH_OUTPUT_UNEXPECTED: final(
    'failed',
    'ceph printed output Drover cannot read.',
    'Check the toolbox image version.',
  ),
  CEPH_RBAC_DENIED: final(
    'input',
    'kubectl exec into the Rook toolbox was denied.',
    'Grant get deployments.apps, list pods and create pods/exec in the Rook namespace.',
  ),
  CEPH_TOOLBOX_MISSING: final(
    'input',
    'The Rook toolbox deployment is not there.',
    'Deploy the Rook toolbox, or set storage to none.',
  ),
  CEPH_BUCKET_INVALID: final(
    'input',
    'A storage failure domain is not a CRUSH bucket name.',
    'Use CRUSH bucket names.',
  ),

  // Terraform and backups.
  TF_INIT_FAILED: final(
    'failed',
    'terraform init failed.',
    'Check the backend configuration and credentials.',
  ),
  TF_COMMAND_FAILED: final(
    'failed',
    'A terraform command failed.',
    'Read the Terraform output in the message.',
  ),
  TF_PLAN_FAILED: final(
    'failed',
    'terraform plan failed.',
    'Read the Terraform output in the message.',
  ),
  TF_APPLY_FAILED: final(
    'failed',
    'terraform apply failed.',
    'Read the Terraform output; then --resume re-checks the VMs.',
  ),
  TF_PLAN_STALE: final(
    'failed',
    'The saved plan is stale: the state changed since it was made.',
    'Run again with --resume; Drover plans again.',
  ),
  TF_PLAN_UNKNOWN: final(
    'failed',
    'No saved plan with that id from this run.',
    'Plan again: a saved plan is applied once, by the adapter that made it.',
  ),
  TF_PLAN_UNKNOWN_ACTION: final(
    'failed',
    'The plan has an action Drover does not know.',
    'Check the Terraform version.',
  ),
  TF_JSON_INVALID: final(
    'failed',
    'terraform show -json printed something unexpected.',
    'Check the Terraform version.',
  ),
  TF_STATE_EMPTY: final(
    'failed',
    'terraform state pull returned no state.',
    'Check the backend configuration and the workspace.',
  ),
  TF_STATE_LOCKED: retryable(
    'failed',
    'Another Terraform operation holds the state lock.',
    'Wait for it to finish; Drover waits and retries.',
  ),
  TF_STATE_LOCK_ERROR: final(
    'failed',
    'Terraform could not take the state lock, and nobody holds it.',
    'Fix the backend credentials or permissions; waiting will not help.',
  ),
  TF_ADDRESS_UNKNOWN: final(
    'input',
    'A Terraform address matches no resource to replace.',
    "Check the node's terraformAddresses in the config.",
  ),
  PLAN_SCOPE: final(
    'refused',
    'The Terraform plan goes beyond the VM resources it is for.',
    'Nothing was applied; run terraform plan by hand and reconcile the drift.',
  ),
  PLAN_NO_REPLACEMENT: final(
    'failed',
    'The Terraform plan for a replacement recreates nothing.',
    'Check the Terraform addresses of the node in the config.',
  ),
  BATCH_MATE_REFUSED: final(
    'refused',
    'Not replaced: the Terraform plan of its batch was refused for another node.',
    'Fix the refused node, then --resume.',
  ),
  TEMPLATE_MISSING: final(
    'failed',
    'VM templates are not at the target version.',
    'No node was touched; rebuild the listed templates.',
  ),
  TEMPLATE_NOT_REBUILT: final(
    'failed',
    'A template reports another version after its rebuild.',
    'Check the template build.',
  ),
  BACKUP_NOT_CONFIGURED: final(
    'input',
    'A cattle upgrade needs a Terraform state backup and none is configured.',
    'Add backup.s3 to the config.',
  ),
  BACKUP_MISMATCH: final(
    'failed',
    'The state backup did not read back identical.',
    'The backup store returned other bytes than were written; check it before any VM is replaced.',
  ),
  S3_BACKUP_MISMATCH: final(
    'failed',
    'The state backup read back with another sha256.',
    'The stored backup is not the one written; check the bucket.',
  ),
  S3_UNAVAILABLE: retryable('failed', 'The S3 server did not answer.', 'Check the S3 endpoint.'),
  S3_FAILED: final('failed', 'An S3 request failed.', 'Check the S3 endpoint and bucket settings.'),
  S3_ACCESS_DENIED: final(
    'input',
    'S3 denied the request.',
    'Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy.',
  ),
  S3_CREDENTIALS_MISSING: final(
    'input',
    'The S3 credentials are not set.',
    'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
  ),
  S3_BUCKET_MISSING: final(
    'input',
    'The S3 bucket does not exist.',
    'Create the bucket, or fix backup.s3.bucket.',
  ),
  S3_OBJECT_MISSING: final('failed', 'An S3 object is not there.', 'Check the key and the bucket.'),
  S3_NO_SUCH_KEY: final('failed', 'The S3 key does not exist.', 'Check the key and the bucket.'),
  S3_KEY_INVALID: final(
    'input',
    'A backup key is not a valid key.',
    'Keys look like <prefix>/<cluster>/<timestamp>-<node>.tfstate.',
  ),

  // Secrets.
  SECRET_MISSING: final(
    'input',
    'The environment variable with a machine config is not set.',
    'Pass it to the runner as a secret.',
  ),
  SECRET_INVALID: final(
    'input',
    'The environment variable with a machine config is not base64.',
    'Set it to the output of base64 -w0 of the machine config.',
  ),
  SOPS_FILE_MISSING: final(
    'input',
    'sops could not read the file.',
    'Check the machine config path in the config.',
  ),
  SOPS_KEY_UNAVAILABLE: final(
    'input',
    'sops could not get the data key.',
    'Give the runner its decryption key (SOPS_AGE_KEY_FILE or the KMS credentials).',
  ),
  SOPS_MAC_MISMATCH: final(
    'refused',
    'The encrypted file was changed outside sops (MAC mismatch).',
    'Re-encrypt it with sops.',
  ),
  SOPS_FAILED: final(
    'failed',
    'sops failed to decrypt the file.',
    'Check the file and the sops version.',
  ),

  // Child processes.
  EXEC_NOT_FOUND: final(
    'failed',
    'A program Drover runs is not installed.',
    'Install it on the runner or put it on PATH.',
  ),
  EXEC_SPAWN_FAILED: final(
    'failed',
    'A program could not be started.',
    'Check its permissions and the runner.',
  ),
  EXEC_FAILED: final(
    'failed',
    'A program exited with an error.',
    'Read its output in the message.',
  ),
  EXEC_TIMEOUT: final(
    'failed',
    'A program did not finish in time.',
    'Raise the matching timeout in the policy, or check the program.',
  ),
  EXEC_ABORTED: final(
    'aborted',
    'A program was not started, or was stopped, because the run was aborted.',
    'Run again with --resume.',
  ),
  EXEC_OUTPUT_TOO_LARGE: final(
    'failed',
    'A program printed more than Drover keeps in memory on an output it reads (32 MiB a stream); the output was not used.',
    'Find what makes it print so much (a state far larger than expected, a wrapper looping); run the command by hand to see its output.',
  ),

  // The simulated cluster.
  SIMULATED_FAULT: retryable(
    'failed',
    'A scripted fault of the simulated cluster that a retry may not meet again.',
    'A scenario fault: see the scenario.',
  ),
  SIMULATED_FAULT_PERMANENT: final(
    'failed',
    'A scripted fault of the simulated cluster that a retry will meet again.',
    'A scenario fault: see the scenario.',
  ),
  SIMULATED_CRASH: final(
    'failed',
    'The simulated runner died in the middle of an action.',
    'Run again with --resume (and the same --world).',
  ),
  SIMULATION_HUNG: final(
    'failed',
    'No step of the simulated upgrade finished within its simulated deadline (14 days by default).',
    'A bug in the engine or the simulation; report it with the seed.',
  ),
  SCENARIO_INVALID: final(
    'input',
    'The scenario file does not validate.',
    'Fix the named fields; docs/scenarios.md describes them.',
  ),
  SCENARIO_UNREADABLE: final(
    'input',
    'The scenario file cannot be read.',
    'Give the path of a scenario YAML file.',
  ),
  WORLD_FILE_INVALID: final(
    'input',
    'The saved world file is not valid JSON.',
    'Delete it to start a fresh simulated world.',
  ),
  WORLD_MISMATCH: final(
    'input',
    'The saved world was made for another scenario.',
    'Use the scenario of the saved world, or another --world.',
  ),
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The category a code is raised with (one per code). */
export type CategoryOf<C extends ErrorCode> = (typeof ERROR_CODES)[C]['category'];

/** The codes of one category: for helpers that raise codes of one kind only. */
export type CodeIn<Cat extends ErrorCategory> = {
  [K in ErrorCode]: CategoryOf<K> extends Cat ? K : never;
}[ErrorCode];

export function categoryOf<C extends ErrorCode>(code: C): CategoryOf<C> {
  return ERROR_CODES[code].category;
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
