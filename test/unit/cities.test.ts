import { describe, expect, it } from 'vitest';
import { cityKey, citySlug, jobStatus, maskSecrets, permitSourceProblem } from '../../src/modules/acquisition/cities.service.ts';

describe('city names in URLs', () => {
  it('compares names by letters and digits only', () => {
    expect(cityKey('Fort Worth')).toBe('fort worth');
    expect(cityKey(' fort-worth ')).toBe('fort worth');
    expect(cityKey('FORT--WORTH')).toBe('fort worth');
    expect(cityKey('St. Petersburg')).toBe(cityKey('st-petersburg'));
    expect(cityKey('Winston-Salem')).toBe(cityKey('winston salem'));
    expect(cityKey('Fort Worth')).not.toBe(cityKey('Fortworth'));
  });

  it('builds the URL segment', () => {
    expect(citySlug('Fort Worth')).toBe('fort-worth');
    expect(citySlug('St. Louis')).toBe('st-louis');
    expect(citySlug('Austin')).toBe('austin');
  });
});

describe('maskSecrets', () => {
  it('masks credential-like query parameters and URL passwords, leaving everything else as is', () => {
    expect(maskSecrets({ kind: 'csv', url: 'https://h.example/p.csv?token=abc&year=2026', nested: ['https://u:pw@h.example/x', 'plain text'] }))
      .toEqual({ kind: 'csv', url: 'https://h.example/p.csv?token=***&year=2026', nested: ['https://u:***@h.example/x', 'plain text'] });
    const untouched = 'https://data.austintexas.gov/resource/3syk-w9eu.json?$where=a%20%3E%201';
    expect(maskSecrets(untouched)).toBe(untouched);
    expect(maskSecrets({ pageSize: 1000, flag: true, none: null })).toEqual({ pageSize: 1000, flag: true, none: null });
  });
});

describe('permitSourceProblem', () => {
  const ok = { kind: 'socrata', baseUrl: 'https://data.example.gov', datasetId: 'abcd-1234', dateField: 'issued', fieldMap: { permitNumber: 'n' } };
  it('is null for a valid or absent source and names the bad field otherwise', () => {
    expect(permitSourceProblem(ok)).toBeNull();
    expect(permitSourceProblem(null)).toBeNull();
    expect(permitSourceProblem({ ...ok, datasetId: 'abcd' })).toBe('permitSource.datasetId: must be a Socrata 4x4 id like 3syk-w9eu');
    expect(permitSourceProblem({ ...ok, fieldMap: {} })).toMatch(/^permitSource\.fieldMap\.permitNumber: /);
    expect(permitSourceProblem({ kind: 'none', reason: 'x' })).toMatch(/^permitSource\.kind: /);
  });
});

describe('jobStatus', () => {
  it('maps scraping_jobs statuses onto step statuses', () => {
    expect(['completed', 'partial', 'running', 'failed', 'pending', 'queued'].map(jobStatus))
      .toEqual(['done', 'done', 'running', 'failed', 'pending', 'pending']);
  });
});
