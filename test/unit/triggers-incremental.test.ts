import { describe, expect, it } from 'vitest';
import { incrementalBlocker } from '../../src/modules/triggers/triggers.service.ts';
import { DETECTION_RULES_VERSION } from '../../src/modules/triggers/triggers.rules.ts';

/** Issue 8 §7: when a whole trigger run may build on the previous one. */
describe('incrementalBlocker', () => {
  const prevAsOf = new Date('2026-06-10T12:00:00Z');
  const xid = (epoch: bigint, x: bigint) => (epoch << 32n) + x;
  const prev = { asOf: prevAsOf, rulesVersion: DETECTION_RULES_VERSION, startXid: xid(0n, 1000n), ownXids: [] };
  const day = (n: number) => new Date(prevAsOf.getTime() + n * 86_400_000);

  it('allows the next day, the same instant and exactly seven days on, in the same epoch', () => {
    expect(incrementalBlocker(prev, day(1), xid(0n, 5000n))).toBeNull();
    expect(incrementalBlocker(prev, day(0), xid(0n, 1000n))).toBeNull();
    expect(incrementalBlocker(prev, day(7), xid(0n, 4_000_000_000n))).toBeNull();
  });

  it('names what makes a run whole', () => {
    expect(incrementalBlocker(null, day(1), xid(0n, 1n))).toBe('no previous whole run');
    expect(incrementalBlocker({ ...prev, rulesVersion: 'triggers@1' }, day(1), xid(0n, 2000n))).toBe(`the detection rules changed (triggers@1 → ${DETECTION_RULES_VERSION})`);
    expect(incrementalBlocker(prev, day(-0.5), xid(0n, 2000n))).toBe("asOf is before the previous run's");
    expect(incrementalBlocker(prev, day(7.01), xid(0n, 2000n))).toBe('more than 7 days since the previous run');
    expect(incrementalBlocker({ ...prev, asOf: new Date('2026-12-31T23:00:00Z') }, new Date('2027-01-01T01:00:00Z'), xid(0n, 2000n))).toBe('a new year: every roof age moves');
    expect(incrementalBlocker(prev, day(1), xid(1n, 10n))).toBe('the transaction id epoch changed');
  });
});
