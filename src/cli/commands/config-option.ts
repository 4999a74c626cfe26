import { Option } from 'commander';

/** `--config FILE`, or the DROVER_CONFIG variable (the workflows set it once for every step). */
export function configOption(): Option {
  return new Option('-c, --config <file>', 'drover.yaml describing the cluster')
    .env('DROVER_CONFIG')
    .makeOptionMandatory();
}
