import pkg from "../../package.json" with { type: "json" };

/** The package version, reported by every `/health`. Bundled in, so no file is read at run time. */
export const VERSION: string = pkg.version;
