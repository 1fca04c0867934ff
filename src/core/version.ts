import { readFileSync } from 'node:fs';
import { packageFile } from './package-files.js';

const packageJson = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };

/** modelprof's own version, from package.json. */
export const MODELPROF_VERSION: string = packageJson.version;
