import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The TypeScript sources, read from the checkout (this file runs from dist/test/unit/). */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));
const TEST = fileURLToPath(new URL('../../../test/', import.meta.url));

/** What a unit test may not reach for: sockets, other processes, timers, the test servers. */
const NOT_IN_UNIT_TESTS = /from '(node:(http|https|net|tls|child_process|timers\/promises)|[./]*support\/(test-server|tls-server|token-server|azure-stand-in|scoring-server|cli|free-port)\.js)'/;

/** Every relative import and re-export of each module under src/, type-only ones included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
  for (const name of files) {
    const path = join(SRC, name);
    const text = readFileSync(path, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((match) =>
      relative(SRC, resolve(dirname(path), match[1]!.replace(/\.js$/, '.ts'))),
    );
    graph.set(name, targets);
  }
  return graph;
}

/** Each cycle once, as "a.ts -> b.ts -> a.ts", found by depth-first search. */
function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') found.push([...stack.slice(stack.indexOf(target)), target].join(' -> '));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('the layout', () => {
  const graph = importGraph();

  test('reads the sources: every module found, and imports resolved to modules that exist', () => {
    assert.ok(graph.has('index.ts') || graph.has('cli/main.ts'), `no sources under ${SRC}`);
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`));
    assert.deepEqual(missing, []);
  });

  test('nothing outside src/cli imports src/cli: the library never reaches up into the CLI', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      file.startsWith('cli/') ? [] : targets.filter((target) => target.startsWith('cli/')).map((target) => `${file} -> ${target}`),
    );
    assert.deepEqual(upward, []);
  });

  test('no import cycles, type-only imports included', () => {
    assert.deepEqual(cycles(graph), []);
  });

  test('tests sit in test/unit (no network, no clock) or test/e2e (real servers and programs)', () => {
    const files = readdirSync(TEST, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.test.ts'));
    assert.ok(files.length > 0, `no tests under ${TEST}`);
    assert.deepEqual(files.filter((name) => !/^(unit|e2e)\//.test(name)), []);
    const reaching = files
      .filter((name) => name.startsWith('unit/'))
      .flatMap((name) =>
        readFileSync(join(TEST, name), 'utf8')
          .split('\n')
          // Types cost nothing at run time; values from these modules would open sockets or start clocks.
          .filter((line) => /^import (?!type )/.test(line) && NOT_IN_UNIT_TESTS.test(line))
          .map((line) => `${name}: ${line}`),
      );
    assert.deepEqual(reaching, []);
  });

  test('the cycle finder finds a cycle', () => {
    const graphWithCycle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    assert.deepEqual(cycles(graphWithCycle), ['a.ts -> b.ts -> c.ts -> a.ts']);
  });
});
