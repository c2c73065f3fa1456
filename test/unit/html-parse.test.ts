import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cleanText,
  deriveAbsentee,
  extractFields,
  extractRows,
  findLink,
  mapPermitRow,
  mapPropertyFields,
  parseAcres,
  parseBaths,
  parseBool,
  parseDate,
  parseFieldSpec,
  parseInteger,
  parseMoney,
  parseNumber,
  parseState,
  parseYear,
  parseZip,
  splitAddressLine,
} from '../../src/modules/acquisition/html-parse.ts';
import { windowDays } from '../../src/modules/acquisition/permit-sources/html.ts';
import { fillTemplate, fillUrlTemplate } from '../../src/modules/acquisition/html-fetch.ts';

describe('parseDate', () => {
  it.each([
    ['2026-10-03', '2026-10-03'],
    ['2026-10-03T14:22:00.000', '2026-10-03'],
    ['10/03/2026', '2026-10-03'],
    ['10/3/2026', '2026-10-03'],
    ['1-9-2026', '2026-01-09'],
    ['10/03/26', '2026-10-03'],
    ['12/31/99', '1999-12-31'], // two-digit years 70–99 are 19xx
    ['Oct 3, 2026', '2026-10-03'],
    ['October 3rd 2026', '2026-10-03'],
    ['Sept. 30, 2026', '2026-09-30'],
    ['3 October 2026', '2026-10-03'],
    ['Issued: 06/14/2019', '2019-06-14'],
    ['02/29/2028', '2028-02-29'], // leap year
  ])('%s → %s', (input, expected) => expect(parseDate(input)).toBe(expected));

  it.each([['02/30/2026'], ['13/01/2026'], ['2026-02-29'], [''], ['—'], ['N/A'], ['Pending'], ['Mayor 3, 2026'], [null]])(
    '%s → null',
    (input) => expect(parseDate(input)).toBeNull(),
  );

  it('round-trips every calendar day printed as MM/DD/YYYY', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString().slice(0, 10);
        const [y, m, day] = iso.split('-');
        expect(parseDate(`${m}/${day}/${y}`)).toBe(iso);
      }),
    );
  });
});

describe('parseMoney', () => {
  it.each([
    ['$12,500.00', 12500],
    ['12500', 12500],
    ['$1,234,567.89', 1234567.89],
    ['USD 9,875', 9875],
    ['$ 0.50', 0.5],
    ['($1,000.00)', -1000],
    ['-$250', -250],
    ['$1.2M', 1_200_000],
    ['85k', 85_000],
    ['$12,345.678', 12345.68], // rounded to cents
  ])('%s → %s', (input, expected) => expect(parseMoney(input)).toBe(expected));

  it.each([['Confidential'], ['—'], [''], ['N/A'], [null]])('%s → null', (input) => expect(parseMoney(input)).toBeNull());

  it('reads back any amount printed the US way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_99 }), (cents) => {
        const text = `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
        expect(parseMoney(text)).toBe(cents / 100);
      }),
    );
  });
});

describe('numbers, areas, rooms, years', () => {
  it('parseNumber takes the first number', () => {
    expect(parseNumber('2,418 sq ft')).toBe(2418);
    expect(parseNumber('0.3100 acres')).toBe(0.31);
    expect(parseNumber('-97.762118')).toBe(-97.762118);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('none')).toBeNull();
  });

  it('parseInteger refuses fractions', () => {
    expect(parseInteger('1,998')).toBe(1998);
    expect(parseInteger('3.5')).toBeNull();
  });

  it('parseAcres converts square feet (43,560 per acre)', () => {
    expect(parseAcres('0.31 acres')).toBe(0.31);
    expect(parseAcres('7,405 sq ft')).toBe(0.17); // 7405 / 43560 = 0.169995… → 0.1700
    expect(parseAcres('10890 SF')).toBe(0.25); // exactly a quarter acre
    expect(parseAcres('21,780 square feet')).toBe(0.5);
    expect(parseAcres('')).toBeNull();
  });

  it('parseBaths counts a half bath as 0.5', () => {
    expect(parseBaths('2 Full / 1 Half')).toBe(2.5);
    expect(parseBaths('3 full')).toBe(3);
    expect(parseBaths('1 half')).toBe(0.5);
    expect(parseBaths('1.5')).toBe(1.5);
    expect(parseBaths('—')).toBeNull();
  });

  it('parseYear keeps plausible construction years only', () => {
    expect(parseYear('1987')).toBe(1987);
    expect(parseYear('0')).toBeNull();
    expect(parseYear('9999')).toBeNull();
  });

  it('parseBool reads yes/no cells', () => {
    expect(parseBool('Yes')).toBe(true);
    expect(parseBool(' y ')).toBe(true);
    expect(parseBool('No')).toBe(false);
    expect(parseBool('0')).toBe(false);
    expect(parseBool('Homestead')).toBeNull();
  });

  it('ZIP and state from cells or address tails', () => {
    expect(parseZip('78731-2207')).toBe('78731');
    expect(parseZip('Austin, TX 78701')).toBe('78701');
    expect(parseZip('123456')).toBeNull();
    expect(parseState('tx')).toBe('TX');
    expect(parseState('AUSTIN TX 78731')).toBe('TX');
    expect(parseState('Texas')).toBeNull();
  });

  it('cleanText collapses whitespace and treats dashes and N/A as blank', () => {
    expect(cleanText('  Lone Star\n   Roofing\tLLC ')).toBe('Lone Star Roofing LLC');
    expect(cleanText('—')).toBeNull();
    expect(cleanText('n/a')).toBeNull();
    expect(cleanText('   ')).toBeNull();
  });
});

describe('addresses', () => {
  it('splitAddressLine splits only lines that name a city', () => {
    expect(splitAddressLine('4410 Ridge Oak Dr, Austin, TX 78731')).toEqual({ street: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX', zip: '78731' });
    expect(splitAddressLine('4410 Ridge Oak Dr')).toBeNull();
  });

  it('deriveAbsentee compares USPS-normalized street lines (seed 002 §3.1.2)', () => {
    expect(deriveAbsentee('4410 RIDGE OAK DR, AUSTIN TX 78731-2207', '4410 Ridge Oak Drive')).toBe(false);
    expect(deriveAbsentee('123 North Main Street, Austin, TX 78701', '123 N MAIN ST')).toBe(false);
    expect(deriveAbsentee('PO BOX 16284, DALLAS TX 75216', '1207 E 38th St')).toBe(true);
    expect(deriveAbsentee('9 Elm Ct, Dallas, TX 75201', '1207 E 38th St')).toBe(true);
    expect(deriveAbsentee(null, '1207 E 38th St')).toBeNull();
    expect(deriveAbsentee('  ', '1207 E 38th St')).toBeNull();
  });
});

describe('selectors', () => {
  it('parseFieldSpec splits a trailing @attribute only', () => {
    expect(parseFieldSpec('td.permit a')).toEqual({ selector: 'td.permit a', attr: null });
    expect(parseFieldSpec('td.permit a@href')).toEqual({ selector: 'td.permit a', attr: 'href' });
    expect(parseFieldSpec('@data-lat')).toEqual({ selector: null, attr: 'data-lat' });
    expect(parseFieldSpec('a[href*="mailto:x@y.com"]')).toEqual({ selector: 'a[href*="mailto:x@y.com"]', attr: null });
  });

  const TABLE = `<table><tbody>
    <tr class="r" data-lat="30.1"><td class="n"><a href="/p/1">P-1</a></td><td class="a">1 Oak St<br>Austin, TX 78701</td><td class="v">$1,000</td></tr>
    <tr class="r" data-lat="30.2"><td class="n"><a href="/p/2">P-2</a></td><td class="a">  2   Elm St </td><td class="v"></td></tr>
    <tr class="total"><td colspan="3">2 permits</td></tr>
    <template><tr class="r"><td class="n">TEMPLATE</td></tr></template>
  </tbody></table>`;

  it('extractRows reads text, attributes, the row itself and <br> as a line break', () => {
    const rows = extractRows(TABLE, 'tr.r', { permitNumber: 'td.n a', link: 'td.n a@href', address: 'td.a', estimatedValue: 'td.v', lat: '@data-lat', missing: 'td.none' });
    expect(rows).toEqual([
      { permitNumber: 'P-1', link: '/p/1', address: '1 Oak St, Austin, TX 78701', estimatedValue: '$1,000', lat: '30.1', missing: null },
      { permitNumber: 'P-2', link: '/p/2', address: '2 Elm St', estimatedValue: null, lat: '30.2', missing: null },
    ]);
  });

  it('extractFields supports cheerio :contains for label/value tables', () => {
    const html = '<table class="t"><tr><th>Year Built</th><td>1987</td></tr><tr><th>Market Value</th><td>$655,000</td></tr></table>';
    expect(extractFields(html, { yearBuilt: 'th:contains("Year Built") + td', marketValue: 'th:contains("Market Value") + td' })).toEqual({ yearBuilt: '1987', marketValue: '$655,000' });
  });

  it('findLink sees disabled Next buttons and links', () => {
    expect(findLink('<a class="next" href="?page=2">Next</a>', 'a.next')).toEqual({ present: true, disabled: false, href: '?page=2' });
    expect(findLink('<span class="next disabled">Next</span>', '.next')).toMatchObject({ present: true, disabled: true });
    expect(findLink('<button id="n" disabled>Next</button>', '#n')).toMatchObject({ disabled: true });
    expect(findLink('<a id="n" aria-disabled="true">Next</a>', '#n')).toMatchObject({ disabled: true });
    expect(findLink('<p></p>', '.next')).toEqual({ present: false, disabled: false, href: null });
  });
});

describe('mapping', () => {
  it('mapPermitRow types every field and keeps the row as raw', () => {
    const row = {
      permitNumber: ' 2026-101204 BP ', address: '4410 Ridge Oak Dr, Austin, TX 78731', estimatedValue: '$18,750.00', issueDate: '10/01/2026',
      appliedDate: 'Sep 24, 2026', lat: '30.3512', lng: '-97.7621', contractorLicense: '—', permitStatus: 'Issued',
    };
    expect(mapPermitRow(row, { defaultCity: 'Round Rock', defaultState: 'TX', sourceUrl: 'http://x/p' })).toEqual({
      permitNumber: '2026-101204 BP', address: '4410 Ridge Oak Dr', city: 'Austin', state: 'TX', zip: '78731', lat: 30.3512, lng: -97.7621,
      permitType: null, permitClass: null, workDescription: null, estimatedValue: 18750, contractorName: null, contractorLicense: null,
      appliedDate: '2026-09-24', issueDate: '2026-10-01', completionDate: null, permitStatus: 'Issued', sourceUrl: 'http://x/p', raw: row,
    });
  });

  it('mapPermitRow uses the defaults for bare street lines, drops impossible coordinates, skips rows without a number', () => {
    const p = mapPermitRow({ permitNumber: 'A1', address: '9 Elm St', lat: '130.2', zip: 'TX 78664' }, { defaultCity: 'Round Rock', defaultState: 'TX' });
    expect(p).toMatchObject({ address: '9 Elm St', city: 'Round Rock', state: 'TX', zip: '78664', lat: null });
    expect(mapPermitRow({ permitNumber: '  ', address: 'Total' })).toBeNull();
  });

  it('mapPropertyFields fills from the searched address and derives absentee', () => {
    const r = mapPropertyFields(
      { ownerName: 'DOE, JANE', ownerMailingAddress: 'PO BOX 1, AUSTIN TX 78701', assessedValue: '$300,000', lotSize: '10,890 sq ft' },
      { address: '12 Oak St', city: 'Austin', state: 'tx', zip: '78701' },
    );
    expect(r).toMatchObject({ address: '12 Oak St', city: 'Austin', state: 'TX', zip: '78701', assessedValue: 300000, lotSize: 0.25, isAbsentee: true, parcelId: null });
    // The page's own absentee flag wins over the derivation.
    const own = mapPropertyFields({ ownerMailingAddress: 'PO BOX 1', isAbsentee: 'No' }, { address: '12 Oak St', city: 'Austin', state: 'TX' });
    expect(own.isAbsentee).toBe(false);
  });
});

describe('windows and templates', () => {
  it('the exclusive window end becomes the last included day', () => {
    expect(windowDays({ since: new Date('2026-10-01T00:00:00Z'), until: new Date('2026-11-01T00:00:00Z') })).toEqual({ since: '2026-10-01', until: '2026-10-31' });
  });

  it('URL placeholders are encoded; form values are not', () => {
    expect(fillUrlTemplate('http://x/s?q={address}&zip={zip}&p={page}', { address: '4410 Ridge Oak Dr #2', zip: '78731' })).toBe(
      'http://x/s?q=4410%20Ridge%20Oak%20Dr%20%232&zip=78731&p={page}',
    );
    expect(fillTemplate('{since} to {until}', { since: '2026-10-01', until: '2026-10-31' })).toBe('2026-10-01 to 2026-10-31');
  });
});
