import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** modelprof's own version, from package.json. */
export const MODELPROF_VERSION: string = packageJson.version;
