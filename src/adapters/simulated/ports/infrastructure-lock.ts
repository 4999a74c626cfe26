/**
 * The simulated Terraform state lock, as hashicorp/terraform v1.11.4 reports it
 * (internal/command/clistate/state.go): "Error acquiring the state lock" plus a Lock Info block
 * when someone holds it; the same first line WITHOUT Lock Info when the backend refused the lock
 * operation itself (S3 AccessDenied), which is no lock at all. Drover's own runs take it one at a
 * time; a killed apply leaves its lock behind (a killed terraform never releases it).
 */
import { DroverError } from '../../../core/errors.js';
import type { TerraformLock } from '../world/state.js';
import type { World } from '../world/world.js';

/** Lock Info `Who` of Drover's own Terraform runs in the twin (user@host). */
export const DROVER_WHO = 'drover@runner';

/** The state lock as Drover's Terraform commands take and release it. */
export class SimulatedStateLock {
  /** A lock a crashed apply left behind: not released by this process. */
  private leftBehind: string | undefined;

  constructor(private readonly world: World) {}

  private get tf() {
    return this.world.state.terraform;
  }

  /** Takes the lock for `operation`, else Terraform's error (held, or the backend refused). */
  take(operation: TerraformLock['operation']): TerraformLock {
    if (lockErrorActive(this.world)) throw lockAccessDeniedError(this.world);
    const held = this.tf.lock ?? foreignLock(this.world);
    if (held) throw lockHeldError(this.world, held);
    const lock: TerraformLock = {
      id: `${this.world.rng.hex(8)}-${this.world.rng.hex(4)}-${this.world.rng.hex(4)}`,
      operation,
      who: DROVER_WHO,
      created: this.world.now,
    };
    this.tf.lock = lock;
    this.world.changed();
    return lock;
  }

  release(lock: TerraformLock): void {
    if (this.leftBehind === lock.id) return;
    if (this.tf.lock?.id === lock.id) this.tf.lock = null;
    this.world.changed();
  }

  /** The run dies holding `lock`: it stays in the backend, and this process never releases it. */
  leaveBehind(lock: TerraformLock): void {
    this.tf.lock = lock;
    this.leftBehind = lock.id;
    this.world.changed();
  }

  /** `terraform force-unlock -force ID`: releases the lock with that ID, else Terraform's error. */
  forceUnlock(lockId: string): void {
    if (this.tf.lock?.id !== lockId) throw unlockMismatchError(lockId);
    this.tf.lock = null;
    this.world.changed();
  }
}

const HELP =
  'Terraform acquires a state lock to protect the state from being written\nby multiple users at the same time. Please resolve the issue above and try\nagain. For most commands, you can disable locking with the "-lock=false"\nflag, but this is not recommended.';

function lockHeldError(world: World, held: TerraformLock): DroverError {
  const detail = [
    'Error message: ConditionalCheckFailedException: The conditional request failed',
    'Lock Info:',
    `  ID:        ${held.id}`,
    `  Path:      terraform-state/${world.context.inventory.cluster}/terraform.tfstate`,
    `  Operation: ${held.operation}`,
    `  Who:       ${held.who}`,
    `  Version:   1.11.4`,
    `  Created:   ${new Date(held.created).toISOString()}`,
    `  Info:      `,
    '',
    HELP,
  ].join('\n');
  return new DroverError(
    'failed',
    'TF_STATE_LOCKED',
    `Error: Error acquiring the state lock\n\n${detail}`,
    {
      hint: 'Another Terraform operation holds the state lock: wait for it to finish and retry.',
      details: {
        lock: {
          id: held.id,
          who: held.who,
          operation: held.operation,
          created: new Date(held.created).toISOString(),
        },
      },
    },
  );
}

function lockAccessDeniedError(world: World): DroverError {
  return new DroverError(
    'failed',
    'TF_STATE_LOCK_ERROR',
    `Error: Error acquiring the state lock\n\nError message: operation error S3: PutObject, https response error StatusCode: 403, RequestID: ${world.rng.hex(8).toUpperCase()}, api error AccessDenied: Access Denied\n\n${HELP}`,
    {
      hint: 'The backend refused the lock operation itself: fix the credentials or permissions; waiting will not help.',
    },
  );
}

/** Someone else's lock while a tf-lock-held fault is in force (for a while, or forever). */
function foreignLock(world: World): TerraformLock | undefined {
  const index = world
    .faults()
    .findIndex((f, i) => f.type === 'tf-lock-held' && world.state.faultActive[i] === true);
  const fault = world.faults()[index];
  if (!fault || fault.type !== 'tf-lock-held') return undefined;
  return {
    id: `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f${index % 10}`,
    operation: 'OperationTypeApply',
    who: fault.who,
    created: world.state.now,
  };
}

function lockErrorActive(world: World): boolean {
  return world.hasFault('tf-lock-error');
}

/** `terraform force-unlock` of an ID that is not the lock held. */
function unlockMismatchError(lockId: string): DroverError {
  return new DroverError(
    'failed',
    'TF_COMMAND_FAILED',
    `Error: Failed to unlock state: lock ID "${lockId}" does not match existing lock`,
  );
}
