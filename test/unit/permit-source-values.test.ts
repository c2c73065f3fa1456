import { describe, expect, it } from 'vitest';
import {
  boundedSourceKey, clip, epochMsToDay, likeWord, mapPermitRecord, pick, toDay, toDollars, toLatLng, toNumber, toState, toText, toZip, zonedMidnightUtc,
} from '../../src/modules/acquisition/permit-sources/values.ts';
import { permitWindow, preparePage } from '../../src/modules/acquisition/permits.service.ts';
import { parseRetryAfter } from '../../src/platform/http.ts';
import { robotsProductToken } from '../../src/platform/robots.ts';
import { BLDS_FIELD_MAP } from '../../src/modules/acquisition/acquisition.types.ts';

describe('permit source value coercion', () => {
  it('trims text and treats blanks as missing', () => {
    expect(toText('  1609  WESTOVER\tRD ')).toBe('1609 WESTOVER RD');
    expect(toText('   ')).toBeNull();
    expect(toText('')).toBeNull();
    expect(toText(42)).toBe('42');
    expect(toText({ url: 'x' })).toBeNull();
    expect(toText(undefined)).toBeNull();
  });

  it('reads numbers that arrive as strings (Socrata) or with money formatting (CSV exports)', () => {
    expect(toNumber('18500')).toBe(18500);
    expect(toNumber(' 3.5 ')).toBe(3.5);
    expect(toNumber('$12,500.00')).toBe(12500);
    expect(toNumber('($1,200)')).toBe(-1200);
    expect(toNumber('-97.76104412')).toBe(-97.76104412);
    expect(toNumber('1e3')).toBe(1000);
    expect(toNumber('12 units')).toBeNull();
    expect(toNumber('')).toBeNull();
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber(null)).toBeNull();
  });

  it('keeps valuations that fit numeric(14,2), rounded to cents', () => {
    expect(toDollars('14,250.456')).toBe(14250.46);
    expect(toDollars('-5')).toBeNull();
    expect(toDollars(1e12)).toBeNull();
    expect(toDollars(999_999_999_999.99)).toBe(999_999_999_999.99);
  });

  it('takes floating timestamps and plain dates as written', () => {
    expect(toDay('2026-10-03T00:00:00.000')).toBe('2026-10-03');
    // Floating: no zone, so even a late hour stays on its day whatever zone is asked for.
    expect(toDay('2026-10-03T23:59:59.000', 'Asia/Tokyo')).toBe('2026-10-03');
    expect(toDay('2026-10-03')).toBe('2026-10-03');
    expect(toDay('2026-10-03 14:00:00')).toBe('2026-10-03');
  });

  it('converts instants with a zone to the city day', () => {
    // 2026-10-04T03:30Z is 23:30 on Oct 3 in New York (EDT, UTC−4).
    expect(toDay('2026-10-04T03:30:00Z', 'America/New_York')).toBe('2026-10-03');
    expect(toDay('2026-10-04T03:30:00Z')).toBe('2026-10-04');
    expect(toDay('2026-10-03T20:00:00-05:00', 'America/Chicago')).toBe('2026-10-03');
  });

  it('reads US MM/DD/YYYY dates', () => {
    expect(toDay('10/09/2026')).toBe('2026-10-09');
    expect(toDay('1/2/2026 3:15 PM')).toBe('2026-01-02');
    expect(toDay('02/30/2026')).toBeNull();
    expect(toDay('20261003')).toBe('2026-10-03');
    expect(toDay('20261332')).toBeNull();
    expect(toDay('13/01/2026')).toBeNull();
  });

  it('reads epoch milliseconds (ArcGIS esriFieldTypeDate) in the city zone', () => {
    // 1791000000000 ms = 2026-10-03T04:00:00Z = local midnight of Oct 3 in New York (EDT).
    expect(Date.UTC(2026, 9, 3, 4)).toBe(1_791_000_000_000);
    expect(epochMsToDay(1_791_000_000_000, 'America/New_York')).toBe('2026-10-03');
    // 23:30 EDT on Oct 3 = 2026-10-04T03:30Z: UTC would say Oct 4.
    const lateEvening = Date.UTC(2026, 9, 4, 3, 30);
    expect(epochMsToDay(lateEvening, 'America/New_York')).toBe('2026-10-03');
    expect(epochMsToDay(lateEvening)).toBe('2026-10-04');
    expect(toDay(lateEvening, 'America/New_York')).toBe('2026-10-03');
    expect(toDay(String(lateEvening), 'America/New_York')).toBe('2026-10-03');
    expect(epochMsToDay(Number.NaN)).toBeNull();
  });

  it('finds the UTC instant of a local midnight, DST included', () => {
    expect(zonedMidnightUtc('2026-10-03', 'America/New_York').toISOString()).toBe('2026-10-03T04:00:00.000Z');
    // DST ends at 02:00 on Nov 1 2026: that midnight is still EDT, the next one EST.
    expect(zonedMidnightUtc('2026-11-01', 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(zonedMidnightUtc('2026-11-02', 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(zonedMidnightUtc('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(zonedMidnightUtc('2026-10-03', 'Asia/Kolkata').toISOString()).toBe('2026-10-02T18:30:00.000Z');
    expect(zonedMidnightUtc('2026-10-03').toISOString()).toBe('2026-10-03T00:00:00.000Z');
    expect(() => zonedMidnightUtc('Oct 3', 'UTC')).toThrow(/YYYY-MM-DD/);
  });

  it('rejects what is not a date', () => {
    expect(toDay('soon')).toBeNull();
    expect(toDay('2026-13-40')).toBeNull();
    expect(toDay(null)).toBeNull();
  });

  it('normalizes ZIPs and states', () => {
    expect(toZip('78704')).toBe('78704');
    expect(toZip('78704-1234')).toBe('78704-1234');
    expect(toZip('787041234')).toBe('78704-1234');
    expect(toZip(2134)).toBe('02134');
    expect(toZip('N/A')).toBeNull();
    expect(toState('tx')).toBe('TX');
    expect(toState('Texas')).toBe('TX');
    expect(toState('Atlantis')).toBeNull();
  });

  it('keeps coordinates only in range and in pairs', () => {
    expect(toLatLng('30.29311456', '-97.76104412')).toEqual({ lat: 30.29311456, lng: -97.76104412 });
    expect(toLatLng('0', '0')).toEqual({ lat: null, lng: null });
    expect(toLatLng('30.2', null)).toEqual({ lat: null, lng: null });
    expect(toLatLng('95', '-97')).toEqual({ lat: null, lng: null });
  });

  it('picks nested values by dotted path', () => {
    const r = { location: { latitude: '30.1' }, 'a.b': 'flat' };
    expect(pick(r, 'location.latitude')).toBe('30.1');
    expect(pick(r, 'a.b')).toBe('flat');
    expect(pick(r, 'missing.x')).toBeUndefined();
    expect(pick(r, undefined)).toBeUndefined();
  });

  it('maps a BLDS row through the default field map and keeps the raw row', () => {
    const row = {
      PermitNum: 'B2610-0042', Description: ' Reroof ', IssuedDate: '10/05/2026', AppliedDate: '2026-10-01', CompletedDate: '',
      OriginalAddress1: '2215 N SPRUCE ST', OriginalCity: 'Boise', OriginalState: 'id', OriginalZip: '83702',
      Latitude: '43.62741', Longitude: '-116.19355', EstProjectCost: '$14,250.00', StatusCurrent: 'Issued',
      PermitType: 'Building', PermitClass: 'Residential', ContractorCompanyName: 'Treasure Valley Roofing', ContractorLicNum: 'RCE-41022',
    };
    const p = mapPermitRecord(row, BLDS_FIELD_MAP);
    expect(p).toEqual({
      permitNumber: 'B2610-0042', address: '2215 N SPRUCE ST', city: 'Boise', state: 'ID', zip: '83702', lat: 43.62741, lng: -116.19355,
      permitType: 'Building', permitClass: 'Residential', workDescription: 'Reroof', estimatedValue: 14250,
      contractorName: 'Treasure Valley Roofing', contractorLicense: 'RCE-41022', appliedDate: '2026-10-01', issueDate: '2026-10-05',
      completionDate: null, permitStatus: 'Issued', sourceUrl: null, raw: row,
    });
  });

  it('takes geometry coordinates when the field map names no lat/lng columns', () => {
    const p = mapPermitRecord({ N: 'X1' }, { permitNumber: 'N' }, { geometry: { lat: 27.9, lng: -82.5 } });
    expect([p.lat, p.lng]).toEqual([27.9, -82.5]);
    expect(mapPermitRecord({ x: 1 }, { permitNumber: 'N' }).permitNumber).toBe('');
  });

  it('bounds source keys to varchar(100) with a stable hash', () => {
    expect(boundedSourceKey('socrata', '3syk-w9eu')).toBe('socrata:3syk-w9eu');
    const long = boundedSourceKey('csv', 'x'.repeat(300));
    expect(long).toHaveLength(100);
    expect(long).toBe(boundedSourceKey('csv', 'x'.repeat(300)));
    expect(long).not.toBe(boundedSourceKey('csv', 'x'.repeat(299)));
    expect(clip('abcdef', 3)).toBe('abc');
  });

  it('escapes LIKE words', () => {
    expect(likeWord("o'brien 100%")).toBe("O''BRIEN 100");
  });
});

describe('permit windows and pages', () => {
  it('ends the window with tomorrow in the city calendar', () => {
    // 03:00Z on Nov 22 is still Nov 21 in Chicago: the window ends at Nov 22 00:00 (exclusive).
    const w = permitWindow(30, 'America/Chicago', undefined, new Date('2026-11-22T03:00:00Z'));
    expect(w.until.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    expect(w.since.toISOString()).toBe('2026-10-23T00:00:00.000Z');
    const fixed = permitWindow(7, 'UTC', new Date('2026-11-01T15:00:00Z'));
    expect([fixed.since.toISOString(), fixed.until.toISOString()]).toEqual(['2026-10-25T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
  });

  it('skips rows without a permit number, keeps the last of in-page duplicates, classifies the trade', () => {
    const base = mapPermitRecord({ n: 'A-1', d: 'Residential reroof, shingles', t: 'Building Permit' }, { permitNumber: 'n', workDescription: 'd', permitType: 't' });
    const page = preparePage(
      [base, { ...base, permitNumber: '' }, { ...base, workDescription: 'Replace water heater' }],
      'socrata:abcd-1234',
      '00000000-0000-0000-0000-000000000001',
    );
    expect(page.skipped).toBe(2);
    expect(page.rows).toHaveLength(1);
    expect(page.rows[0]).toMatchObject({ permitNumber: 'A-1', trade: 'plumbing', tradeGroup: expect.any(String), workDescription: 'Replace water heater' });
    expect(page.errors).toEqual([
      'record without a permit number skipped (address: none)',
      'permit A-1 appears twice in one page; the later record was kept',
    ]);
    expect(preparePage([base], 's', 'c').rows[0]!.trade).toBe('roof');
  });
});

describe('Retry-After and robots user agent', () => {
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('matches robots.txt groups on the product token', () => {
    expect(robotsProductToken('TradeLeadBot/0.1 (+https://tradelead.example/bot)')).toBe('TradeLeadBot');
  });
});
