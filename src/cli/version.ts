/** Replaced by the bundler; the fallback serves tests run from source. */
declare const __DROVER_VERSION__: string | undefined;
export const VERSION: string =
  typeof __DROVER_VERSION__ === 'string' ? __DROVER_VERSION__ : '0.0.0-dev';
