export { createKubernetesAdapter, type KubernetesAdapter } from './adapter.js';
