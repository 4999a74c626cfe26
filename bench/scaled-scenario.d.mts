/** Types of bench/scaled-scenario.mjs for the TypeScript tests that use it. */
export function scaledScenario<T extends object>(reference: T, nodeCount: number): T;
