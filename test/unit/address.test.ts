import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeAddress, parseAddressLine, toStateCode } from '../../src/modules/acquisition/address.ts';

describe('normalizeAddress: the same house written two ways is one key', () => {
  // Hand-written pairs as they appear in permit portals and county assessor exports.
  const samePairs: Array<[string, string]> = [
    ['1234 N Oak Street', '1234 North Oak St.'],
    ['1234 N. Oak St', '1234 NORTH OAK STREET'],
    ['500 W 5th Street', '500 West Fifth St'],
    ['100 First Avenue', '100 1st Ave.'],
    ['77 Sunset Boulevard', '77 Sunset Blvd'],
    ['9 Maple Drive', '9 maple dr'],
    ['18 Cherry Lane', '18 Cherry Ln.'],
    ['42 Mill Road', '42 Mill Rd'],
    ['3 Birch Court', '3 Birch Ct'],
    ['12 Lakeview Circle', '12 Lakeview Cir'],
    ['8800 Capital of Texas Highway', '8800 Capital of Texas Hwy'],
    ['600 Mopac Expressway', '600 Mopac Expy'],
    ['4100 Southwest Parkway', '4100 Southwest Pkwy'],
    ['21 Elm Place', '21 Elm Pl'],
    ['310 Vista Terrace', '310 Vista Ter'],
    ['55 Deer Trail', '55 Deer Trl'],
    ['1 Lamar Square', '1 Lamar Sq'],
    ['15 Heritage Crossing', '15 Heritage Xing'],
    ['2200 S Lamar Blvd', '2200 South Lamar Boulevard'],
    ['2200 SE Lamar Blvd', '2200 Southeast Lamar Blvd'],
    ['2200 SE Lamar Blvd', '2200 South East Lamar Blvd'],
    ['45 Main St N', '45 Main Street North'],
    ['45 Main St NW', '45 Main Street Northwest'],
    ['123 Main St Apt 5', '123 Main Street, Apartment 5'],
    ['123 Main St Apt 5', '123 Main St. Apt. #5'],
    ['123 Main St #5', '123 Main Street Unit 5'],
    ['123 Main St # 5', '123 main st unit 5'],
    ['700 Oak St Ste 200', '700 Oak Street Suite 200'],
    ['10 Main St Bldg 3 Apt 4', '10 Main Street Building 3 Apartment 4'],
    ['4 E St', '4 East Street'],
    ['123   Main    St', ' 123 Main St '],
    ['1600 Pennsylvania Ave NW', '1600 Pennsylvania Avenue Northwest'],
    ['12 Third St', '12 3rd St'],
    ['801 Twentieth Avenue', '801 20th Ave'],
    ['1 Café Street', '1 Cafe St'],
    ['7 Oak St Fl 2', '7 Oak Street Floor 2'],
  ];
  it.each(samePairs)('%s ≡ %s', (a, b) => {
    expect(normalizeAddress(a)).toBe(normalizeAddress(b));
  });

  const exact: Array<[string, string]> = [
    ['1234 North Oak St.', '1234 N OAK ST'],
    ['123 N. Main St., Apt. 5', '123 N MAIN ST APT 5'],
    ['123 Main St #5', '123 MAIN ST UNIT 5'],
    // The directional is the street's name: it stays a word (Pub 28 §233.2).
    ['123 North St', '123 NORTH ST'],
    ['4 E St', '4 EAST ST'],
    ['4100 Southwest Parkway', '4100 SOUTHWEST PKWY'],
    ['1 W North Ave', '1 W NORTH AVE'],
    ['1 North Ave N', '1 NORTH AVE N'],
    // A suffix word that is the street's name stays; the last suffix word is abbreviated.
    ['12 Park Avenue', '12 PARK AVE'],
    ['12 Avenue B', '12 AVENUE B'],
    ['10 Trail', '10 TRAIL'],
    ['12 Broadway', '12 BROADWAY'],
    // Unit designator words used as street names are not units.
    ['5 Key Way', '5 KEY WAY'],
    ['9 Lot Road', '9 LOT RD'],
    ['123 Front Street', '123 FRONT ST'],
    ['12 Upper Ridge Rd', '12 UPPER RIDGE RD'],
    ['123 Main St Rear', '123 MAIN ST REAR'],
    // House-number forms survive punctuation stripping.
    ['123-B Elm Street', '123-B ELM ST'],
    ['12 1/2 Elm St', '12 1/2 ELM ST'],
    ['42 Oak St. Apt #3B', '42 OAK ST APT 3B'],
    ['', ''],
    ['  ,. ', ''],
  ];
  it.each(exact)('%j → %j', (input, expected) => {
    expect(normalizeAddress(input)).toBe(expected);
  });

  it('keeps different houses apart', () => {
    expect(normalizeAddress('1234 N Oak St')).not.toBe(normalizeAddress('1234 S Oak St'));
    expect(normalizeAddress('1234 Oak St')).not.toBe(normalizeAddress('1234 Oak Ave'));
    expect(normalizeAddress('123 Main St Apt 5')).not.toBe(normalizeAddress('123 Main St Apt 6'));
    expect(normalizeAddress('123 North St')).not.toBe(normalizeAddress('123 N St Apt 1'));
    expect(normalizeAddress('45 Main St N')).not.toBe(normalizeAddress('45 Main St'));
  });
});

describe('normalizeAddress properties (fast-check)', () => {
  const words = ['North', 'n.', 'SOUTH', 'West', 'Oak', 'Main', 'First', 'Street', 'st.', 'Ave', 'Avenue', 'Apt', '#', 'Suite',
    'Unit', 'Park', 'Key', 'Rear', 'Blvd', 'Lane', 'NE', 'South West', '3B', '12', '1/2', '-', ',', 'Café', 'Lot'];
  const address = fc.tuple(
    fc.oneof(fc.integer({ min: 1, max: 99999 }).map(String), fc.constant('')),
    fc.array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 })), { maxLength: 7 }),
  ).map(([n, ws]) => [n, ...ws].join(' '));

  it('reads a "#" before a unit designator as punctuation (a fast-check find: "0 Suite 0# Key 0")', () => {
    expect(normalizeAddress(' 0 Suite 0# Key 0')).toBe('0 STE 0 KEY 0');
    expect(normalizeAddress('0 STE 0 KEY 0')).toBe('0 STE 0 KEY 0');
    expect(normalizeAddress('12 Oak St Apt 4 # Rear')).toBe(normalizeAddress('12 Oak Street Apartment 4 Rear'));
  });

  it('is idempotent: normalize(normalize(x)) === normalize(x)', () => {
    fc.assert(fc.property(address, (a) => normalizeAddress(normalizeAddress(a)) === normalizeAddress(a)), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (a) => normalizeAddress(normalizeAddress(a)) === normalizeAddress(a)), { numRuns: 3000 });
  });

  it('ignores case, surrounding space and runs of spaces', () => {
    fc.assert(
      fc.property(address, fc.constantFrom(' ', '  ', '\t'), (a, sep) => {
        const variant = `  ${a.toLowerCase().split(' ').join(sep)} `;
        return normalizeAddress(variant) === normalizeAddress(a.toUpperCase());
      }),
      { numRuns: 2000 },
    );
  });

  it('yields only uppercase letters, digits, single spaces and the kept - and /', () => {
    fc.assert(fc.property(address, (a) => /^(?:[A-Z0-9\-/]+(?: [A-Z0-9\-/]+)*)?$/.test(normalizeAddress(a))), { numRuns: 2000 });
  });
});

describe('parseAddressLine', () => {
  it('splits "street, city, ST zip+4" and keeps ZIP5', () => {
    expect(parseAddressLine('1234 Oak Street, Austin, TX 78701-1234')).toEqual({ street: '1234 Oak Street', city: 'Austin', state: 'TX', zip: '78701' });
  });
  it('works without a comma before the state and with a full state name', () => {
    expect(parseAddressLine('1234 Oak Street, Austin TX 78701')).toEqual({ street: '1234 Oak Street', city: 'Austin', state: 'TX', zip: '78701' });
    expect(parseAddressLine('500 Main St, New York, New York 10001')).toEqual({ street: '500 Main St', city: 'New York', state: 'NY', zip: '10001' });
    expect(parseAddressLine('9 Pine Rd, Salt Lake City UT 84101, USA')).toEqual({ street: '9 Pine Rd', city: 'Salt Lake City', state: 'UT', zip: '84101' });
    expect(parseAddressLine('12 Elm St, Raleigh, North Carolina')).toEqual({ street: '12 Elm St', city: 'Raleigh', state: 'NC' });
  });
  it('keeps a unit in the street and leaves out what is absent', () => {
    expect(parseAddressLine('77 Elm St Apt 4, Dallas, Texas')).toEqual({ street: '77 Elm St Apt 4', city: 'Dallas', state: 'TX' });
    expect(parseAddressLine('77 Elm St')).toEqual({ street: '77 Elm St' });
    expect(parseAddressLine('77 Elm St 75201')).toEqual({ street: '77 Elm St', zip: '75201' });
    expect(parseAddressLine('')).toEqual({ street: '' });
  });
  it('does not take a street word for a state when there is no city part', () => {
    // "…Ct" is no state; "…IN" as the last word of a street line with no comma is not read as Indiana.
    expect(parseAddressLine('14 Birch Ct')).toEqual({ street: '14 Birch Ct' });
    expect(parseAddressLine('14 Way IN')).toEqual({ street: '14 Way IN' });
  });
  it('toStateCode reads codes and names', () => {
    expect(toStateCode('tx')).toBe('TX');
    expect(toStateCode('District of Columbia')).toBe('DC');
    expect(toStateCode('Texass')).toBeUndefined();
  });
});
