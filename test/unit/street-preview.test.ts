import { describe, expect, it } from 'vitest';
import { streetWithoutNumber } from '../../src/modules/leads/leads.service.ts';

describe('the preview street reveals no house number', () => {
  it.each([
    ['123 Main St', 'Main St'],
    ['123 5th Ave, Apt 2', '5th Ave'],
    ['5th Ave', '5th Ave'],
    ['1st St', '1st St'],
    ['123 1/2 Elm St', 'Elm St'],
    ['123-125 Oak Rd', 'Oak Rd'],
    ['123A N Lamar Blvd', 'N Lamar Blvd'],
    ['N123 W4567 Main St', 'Main St'],
    ['#5 123 Main St', 'Main St'],
    ['Apt 3 45 Elm St', 'Elm St'],
    ['45 Elm St Apt 3', 'Elm St'],
    ['45 Elm St #3', 'Elm St'],
    ['900 Highway 290 W', 'Highway 290 W'],
    ['1234', null],
    ['12 34', null],
    ['', null],
  ])('%s → %s', (address, street) => {
    expect(streetWithoutNumber(address)).toBe(street);
  });
});
