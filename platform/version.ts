/** The product version, printed by `ctvs --version` and written into the npm package. */
export const VERSION = "0.1.0";
