import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourWanted, paint } from '../../../src/cli/colour.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colour', () => {
  const cases: [name: string, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, wanted: boolean][] = [
    ['a terminal', tty, {}, true],
    ['a pipe or a file', pipe, {}, false],
    ['NO_COLOR on a terminal', tty, { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR (unset, per no-color.org)', tty, { NO_COLOR: '' }, true],
    ['FORCE_COLOR into a pipe', pipe, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 on a terminal', tty, { FORCE_COLOR: '0' }, false],
    ['NO_COLOR beats FORCE_COLOR', pipe, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['a dumb terminal', tty, { TERM: 'dumb' }, false],
    ['CI alone does not colour a log', pipe, { CI: 'true' }, false],
  ];
  for (const [name, stream, env, wanted] of cases) it(`${wanted ? 'colours' : 'does not colour'} ${name}`, () => assert.equal(colourWanted(stream, env), wanted));

  it('paints verdicts, reasons and warnings by what they say, and leaves figures alone', () => {
    const text = ['RUN VALID: the generator held its plan', '  ! partial run', 'TARGET ERROR: none of 4 requests succeeded', 'pass  p99<=1s', 'FAIL  p50<1ms', 'requests   10 sent'].join('\n');
    const painted = paint(text, tty, {}).split('\n');
    assert.equal(painted[0], '\x1b[1m\x1b[32mRUN VALID: the generator held its plan\x1b[39m\x1b[22m');
    assert.equal(painted[1], '\x1b[33m  ! partial run\x1b[39m');
    assert.match(painted[2]!, /^\x1b\[1m\x1b\[31mTARGET ERROR/);
    assert.match(painted[3]!, /^\x1b\[32mpass/);
    assert.match(painted[4]!, /^\x1b\[31mFAIL/);
    assert.equal(painted[5], 'requests   10 sent');
    assert.equal(paint(text, tty, { NO_COLOR: '1' }), text);
  });
});
