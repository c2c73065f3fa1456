import { describe, expect, it } from 'vitest';
import { parseStreet } from '../../src/modules/acquisition/address.ts';
import { previewStreet } from '../../src/modules/leads/leads.service.ts';

describe('the preview street is the parsed USPS street name and reveals no house number', () => {
  it.each([
    ['123 Main St', 'Main St'],
    ['123 Main Street', 'Main St'],
    ['123 5th Ave, Apt 2', '5th Ave'],
    ['5th Ave', '5th Ave'],
    ['1st St', '1st St'],
    ['123 First Avenue', '1st Ave'],
    ['123 1/2 Elm St', 'Elm St'],
    ['123-125 Oak Rd', 'Oak Rd'],
    ['123A North Lamar Boulevard', 'N Lamar Blvd'],
    ['N123 W4567 Main St', 'Main St'],
    ['#5 123 Main St', 'Main St'],
    ['Apt 3 45 Elm St', 'Elm St'],
    ['45 Elm St Apt 3', 'Elm St'],
    ['45 Elm St #3', 'Elm St'],
    ['5 Key Way', 'Key Way'],
    ['900 Highway 290 W', 'Highway 290 W'],
    ['1234', null],
    ['12 34', null],
    ['#5', null],
    ['', null],
  ])('%s → %s', (address, street) => {
    expect(previewStreet(address)).toBe(street);
  });
});

describe('parseStreet splits number, street and units', () => {
  it.each([
    ['N123 W4567 Main St', { number: 'N123 W4567', street: 'MAIN ST', unit: null }],
    ['#5 123 Main St', { number: '123', street: 'MAIN ST', unit: 'UNIT 5' }],
    ['Apt 3 45 Elm St', { number: '45', street: 'ELM ST', unit: 'APT 3' }],
    ['1234 N Oak St Suite 200', { number: '1234', street: 'N OAK ST', unit: 'STE 200' }],
    ['1234', { number: '1234', street: null, unit: null }],
    ['N 5th St', { number: null, street: 'N 5TH ST', unit: null }],
  ])('%s', (line, parsed) => {
    expect(parseStreet(line)).toEqual(parsed);
  });
});
