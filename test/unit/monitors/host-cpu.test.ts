import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busyShare, parseProcStat, saturatedHostWarning } from '../../../src/monitors/host-cpu.js';

// Two readings of a 2-CPU machine's /proc/stat, one second (200 jiffies) apart.
const BEFORE = 'cpu  887577 1287 113397 147910 623 0 5183 272 0 0\ncpu0 442515 617 55973 76451 135 0 2471 136 0 0\n';
const AFTER = 'cpu  887765 1287 113401 147912 623 0 5185 272 10 0\ncpu0 442609 617 55975 76452 135 0 2472 136 0 0\n';

describe('the host CPU around a run', () => {
  it("reads /proc/stat's aggregate line: busy is all but idle and iowait; guest time is inside user", () => {
    assert.deepEqual(parseProcStat(BEFORE), { busy: 887577 + 1287 + 113397 + 0 + 5183 + 272, total: 887577 + 1287 + 113397 + 147910 + 623 + 5183 + 272 });
    assert.equal(parseProcStat('intr 1 2 3\n'), undefined);
  });

  it('warns when the machine was saturated (at least 90% busy), and says what to do', () => {
    const share = busyShare(parseProcStat(BEFORE)!, parseProcStat(AFTER)!)!;
    assert.equal(share, 194 / 196);
    assert.match(saturatedHostWarning(share)!, /^this machine's CPUs were 99% busy during the run: .* run the generator on a machine \(or cores\) of its own$/);
    assert.equal(saturatedHostWarning(0.89), undefined);
    assert.equal(saturatedHostWarning(undefined), undefined);
  });
});
