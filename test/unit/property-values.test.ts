import { describe, expect, it } from 'vitest';
import {
  deriveAbsentee,
  mapPropertyRow,
  readAcres,
  readBoolean,
  readDate,
  readMoney,
  readNumber,
  readZip,
} from '../../src/modules/acquisition/property-records/file-source.ts';
import { canonicalCity, mergeDuplicates, toPropertyRow } from '../../src/modules/acquisition/properties.service.ts';

describe('assessor value coercion', () => {
  it('numbers and money', () => {
    expect(readMoney('$250,000', 'v')).toBe(250000);
    expect(readMoney(' 1,234.567 ', 'v')).toBe(1234.57);
    expect(readMoney('', 'v')).toBeNull();
    expect(readMoney('N/A', 'v')).toBeNull();
    expect(readNumber('(1,000)', 'v')).toBe(-1000);
    expect(() => readMoney('(1,000)', 'assessedValue')).toThrow('assessedValue: -1000 is outside 0..999999999999.99');
    expect(() => readNumber('12k', 'sqft')).toThrow('sqft: "12k" is not a number');
    expect(() => readMoney('$99,999,999,999', 'taxAmount', 1e10)).toThrow(/taxAmount: .* is outside/);
  });

  it('lot size in acres; square feet converted at 43,560 per acre', () => {
    expect(readAcres('0.21')).toBe(0.21);
    expect(readAcres('10,890 sq ft')).toBe(0.25); // 10890 / 43560
    expect(readAcres('21780 SF')).toBe(0.5);
    expect(readAcres('1.5 acres')).toBe(1.5);
    expect(readAcres(2)).toBe(2);
    expect(() => readAcres('big')).toThrow('lotSize: "big" is not a number');
  });

  it('dates: MM/DD/YYYY, M/D/YY, ISO with or without time, epoch ms', () => {
    expect(readDate('06/14/2019', 'd')).toBe('2019-06-14');
    expect(readDate('3/2/2015', 'd')).toBe('2015-03-02');
    expect(readDate('7/9/98', 'd')).toBe('1998-07-09');
    expect(readDate('7/9/05', 'd')).toBe('2005-07-09');
    expect(readDate('2019-06-14T00:00:00.000', 'd')).toBe('2019-06-14');
    expect(readDate('2021-08-30', 'd')).toBe('2021-08-30');
    expect(readDate(1560470400000, 'd')).toBe('2019-06-14');
    expect(readDate('1560470400000', 'd')).toBe('2019-06-14');
    expect(readDate('', 'd')).toBeNull();
    expect(() => readDate('02/30/2020', 'lastSaleDate')).toThrow('lastSaleDate: "02/30/2020" is not a calendar date');
    expect(() => readDate('June 2019', 'lastSaleDate')).toThrow(/expected MM\/DD\/YYYY or YYYY-MM-DD/);
  });

  it('booleans and ZIPs', () => {
    expect(['Y', 'yes', 'TRUE', '1', 'N', 'no', 'F', '0', ''].map((v) => readBoolean(v, 'b'))).toEqual([true, true, true, true, false, false, false, false, null]);
    expect(() => readBoolean('maybe', 'isAbsentee')).toThrow('isAbsentee: "maybe" is not yes/no');
    expect(readZip('78701-2204')).toBe('78701');
    expect(readZip(2134)).toBe('02134'); // a spreadsheet dropped the leading zero
    expect(() => readZip('7870A')).toThrow('zip: "7870A" is not a ZIP code');
  });
});

describe('absentee derivation', () => {
  const site = { address: '1234 N Oak Street', zip: '78701' };
  it.each([
    ['PO BOX 4410, DALLAS, TX 75201', true],
    ['1234 North Oak St., Austin, TX 78701-2204', false],
    ['1234 N OAK ST', false],
    ['1234 N Oak St, Austin, TX 78702', true], // same street line, another ZIP: another house
    ['1236 N Oak St, Austin, TX 78701', true],
  ])('mailing %j → %s', (mailing, expected) => {
    expect(deriveAbsentee(site, mailing)).toBe(expected);
  });
  it('unknown without a mailing address; a unit designator spelled differently is the same home', () => {
    expect(deriveAbsentee(site, null)).toBeNull();
    expect(deriveAbsentee({ address: '77 Sunset Blvd Apt 5', zip: null }, '77 SUNSET BLVD #5')).toBe(false);
    expect(deriveAbsentee({ address: '77 Sunset Blvd Apt 5', zip: null }, '77 SUNSET BLVD APT 9')).toBe(true);
  });
});

describe('row mapping', () => {
  const map = { address: 'SITUS', city: 'CITY', ownerMailingAddress: 'M1+M2', isAbsentee: 'ABS', yearBuilt: 'YB', lat: 'Y', lng: 'X' };
  it('fills city/state/ZIP from a one-line address, joins mailing columns, matches column names loosely', () => {
    const r = mapPropertyRow({ ' situs ': '5 Elm St, Waco, TX 76701', M1: '5 ELM ST', M2: 'WACO TX 76701', yb: '1950', Y: '0', X: '0' }, map);
    expect(r).toMatchObject({ address: '5 Elm St', city: 'Waco', state: 'TX', zip: '76701', ownerMailingAddress: '5 ELM ST, WACO TX 76701', isAbsentee: false, yearBuilt: 1950, lat: null, lng: null });
  });
  it('a flag in the data wins over derivation; missing city without default names the field', () => {
    expect(mapPropertyRow({ SITUS: '5 Elm St', ABS: 'Y', M1: '5 Elm St' }, map, { city: 'Waco', state: 'TX' }).isAbsentee).toBe(true);
    expect(() => mapPropertyRow({ SITUS: '5 Elm St' }, map)).toThrow('city: the row has no city and the import has no default');
    expect(() => mapPropertyRow({ SITUS: '5 Elm St', YB: '1850.5' }, map, { city: 'Waco', state: 'TX' })).toThrow('yearBuilt: 1850.5 is not a whole number');
  });
});

describe('property keys', () => {
  it('canonical city: the target city spelling, else title case for all-caps exports', () => {
    expect(canonicalCity('AUSTIN', 'Austin')).toBe('Austin');
    expect(canonicalCity('MCKINNEY', 'McKinney')).toBe('McKinney');
    expect(canonicalCity('ROUND ROCK')).toBe('Round Rock');
    expect(canonicalCity('winston-salem')).toBe('Winston-Salem');
    expect(canonicalCity('DeSoto')).toBe('DeSoto');
  });
  it('two rows of one house in a batch merge, later non-null values winning', () => {
    const base = { parcelId: null, city: 'Austin', state: 'TX', zip: null, ownerName: null, ownerMailingAddress: null, isAbsentee: null, assessedValue: null, marketValue: null, yearBuilt: null, sqft: null, lotSize: null, beds: null, baths: null, propertyType: null, lastSaleDate: null, lastSalePrice: null, taxAmount: null, lat: null, lng: null };
    const a = toPropertyRow({ ...base, address: '1 N Main Street', ownerName: 'A', sqft: 1000, raw: { a: 1 } }, 'csv:x')!;
    const b = toPropertyRow({ ...base, address: '1 North Main St', ownerName: 'B', raw: { b: 2 } }, 'csv:x')!;
    const [m, ...rest] = mergeDuplicates([a, b]);
    expect(rest).toHaveLength(0);
    expect(m).toMatchObject({ normalizedAddress: '1 N MAIN ST', ownerName: 'B', sqft: 1000, raw: { a: 1, b: 2 } });
    expect(toPropertyRow({ ...base, address: '#', raw: {} }, 'csv:x')).toBeNull();
  });
});
