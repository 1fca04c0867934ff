import { existsSync } from 'node:fs';

/**
 * The package's root folder, found the same way from the TypeScript sources (src/core/), the build
 * (dist/src/core/) and an installed package (node_modules/modelprof/dist/src/core/): the nearest
 * folder above that holds modelprof's package.json and schema/.
 */
const PACKAGE_ROOT = ['../../', '../../../']
  .map((candidate) => new URL(candidate, import.meta.url))
  .find((folder) => existsSync(new URL('package.json', folder)) && existsSync(new URL('schema/', folder)));

/** A file shipped with the package (package.json, schema/...), by its path from the package root. */
export function packageFile(path: string): URL {
  if (!PACKAGE_ROOT) throw new Error(`modelprof's package files are missing above ${new URL('.', import.meta.url).pathname}: the installation is incomplete`);
  return new URL(path, PACKAGE_ROOT);
}
