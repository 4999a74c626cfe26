/** Machine configs and other secrets: decrypted into memory only, registered for redaction. */
import type { InventoryNode } from '../core/inventory.js';

export interface SecretsPort {
  /** The node's machine config in plain text (YAML). Never written to logs, argv or the journal. */
  machineConfig(node: InventoryNode, signal?: AbortSignal): Promise<string>;
}
