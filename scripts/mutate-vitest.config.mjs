// Vitest's configuration for one mutation's run (scripts/mutate.mjs): the project's own, except
// that the test files run in the order the entry lists them (MUTATE_ORDER, one path a line)
// rather than slowest first. An entry lists first the file that catches it soonest, and --bail
// ends the run at the first red test, so the slower files after it never start.
import { fileURLToPath } from 'node:url';
import { mergeConfig } from 'vitest/config';
import { BaseSequencer } from 'vitest/node';
import project from '../vitest.config.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const order = (process.env.MUTATE_ORDER ?? '').split('\n').filter(Boolean);
const rank = (moduleId) => {
  const i = order.findIndex((file) => moduleId.endsWith(`/${file}`));
  return i < 0 ? order.length : i;
};

class ListedOrder extends BaseSequencer {
  async sort(files) {
    return [...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId));
  }
}

export default mergeConfig(project, { root, test: { sequence: { sequencer: ListedOrder } } });
