import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FieldCipher, hashPassword, normalizeContact, verifyPassword } from '../../src/platform/crypto.ts';

const cipher = new FieldCipher('11'.repeat(32), '22'.repeat(32));

describe('FieldCipher', () => {
  it('round-trips any string and never repeats a ciphertext', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const a = cipher.encrypt(s);
        expect(cipher.decrypt(a)).toBe(s);
        expect(cipher.encrypt(s)).not.toBe(a); // random IV
        if (s.length > 3) expect(a).not.toContain(s);
      }),
    );
  });

  it('rejects tampered ciphertext', () => {
    const t = cipher.encrypt('owner@example.com').split('.');
    t[3] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(t.join('.'))).toThrow();
  });

  it('rejects a ciphertext made with another key', () => {
    const other = new FieldCipher('33'.repeat(32), '22'.repeat(32));
    expect(() => other.decrypt(cipher.encrypt('x'))).toThrow();
  });

  it('blind index is deterministic over normalised values and separates kinds', () => {
    expect(cipher.blindIndex('email', ' Owner@Example.COM ')).toBe(cipher.blindIndex('email', 'owner@example.com'));
    expect(cipher.blindIndex('phone', '+1 (512) 555-0100')).toBe(cipher.blindIndex('phone', '512.555.0100'));
    expect(cipher.blindIndex('email', '5125550100')).not.toBe(cipher.blindIndex('phone', '5125550100'));
    expect(cipher.blindIndex('email', 'a@b.c')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('normalises phones to 10 digits when a US country code is present', () => {
    expect(normalizeContact('phone', '1-512-555-0100')).toBe('5125550100');
    expect(normalizeContact('phone', '512 555 0100')).toBe('5125550100');
  });
});

describe('passwords', () => {
  it('verifies the right password only', async () => {
    const h = await hashPassword('correct horse');
    expect(h.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('correct horsE', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});
