import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { LOCAL_CIPHERTEXT_PREFIX, LocalStreamKeyCipher } from '../../../lambdas/adapters/local-stream-key-cipher';
import { InvalidConfigurationError } from '../../../lambdas/core/errors';

const PLAINTEXT = 'test-stream-key-not-real-0002';
const cipher = new LocalStreamKeyCipher(randomBytes(32));

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

function expectUnreadable(error: unknown): void {
  expect(error).toBeInstanceOf(InvalidConfigurationError);
  expect(inspect(error, { depth: 6 })).not.toContain(PLAINTEXT);
}

/** Flips one bit of the decoded payload at `index` and re-encodes it. */
function flipBit(ciphertext: string, index: number): string {
  const raw = Buffer.from(ciphertext.slice(LOCAL_CIPHERTEXT_PREFIX.length), 'base64');
  raw[index] = (raw[index] ?? 0) ^ 0x01;
  return LOCAL_CIPHERTEXT_PREFIX + raw.toString('base64');
}

describe('LocalStreamKeyCipher', () => {
  it('round-trips a stream key for the same destination', async () => {
    const ciphertext = await cipher.encrypt('dest-1', PLAINTEXT);

    await expect(cipher.decrypt('dest-1', ciphertext)).resolves.toBe(PLAINTEXT);
  });

  it('round-trips non-ASCII keys and the empty key', async () => {
    for (const key of ['ключ-ストリーム-🔑', '']) {
      await expect(cipher.decrypt('dest-1', await cipher.encrypt('dest-1', key))).resolves.toBe(key);
    }
  });

  it('stores a tagged ciphertext that does not contain the key', async () => {
    const ciphertext = await cipher.encrypt('dest-1', PLAINTEXT);

    expect(ciphertext.startsWith(LOCAL_CIPHERTEXT_PREFIX)).toBe(true);
    expect(ciphertext).not.toContain(PLAINTEXT);
    expect(Buffer.from(ciphertext.slice(LOCAL_CIPHERTEXT_PREFIX.length), 'base64').toString('latin1')).not.toContain(PLAINTEXT);
  });

  it('uses a fresh IV each time, so equal keys give different ciphertexts', async () => {
    const a = await cipher.encrypt('dest-1', PLAINTEXT);
    const b = await cipher.encrypt('dest-1', PLAINTEXT);

    expect(a).not.toBe(b);
  });

  it('refuses to decrypt for another destination id', async () => {
    const ciphertext = await cipher.encrypt('dest-1', PLAINTEXT);

    expectUnreadable(await failure(cipher.decrypt('dest-2', ciphertext)));
  });

  it.each([
    ['the IV', 0],
    ['the tag', 12],
    ['the encrypted key', 28],
  ])('refuses a ciphertext with one bit flipped in %s', async (_, index) => {
    const ciphertext = await cipher.encrypt('dest-1', PLAINTEXT);

    expectUnreadable(await failure(cipher.decrypt('dest-1', flipBit(ciphertext, index))));
  });

  it('refuses a ciphertext made with another key', async () => {
    const ciphertext = await new LocalStreamKeyCipher(randomBytes(32)).encrypt('dest-1', PLAINTEXT);

    expectUnreadable(await failure(cipher.decrypt('dest-1', ciphertext)));
  });

  it('refuses truncated and foreign-scheme ciphertexts', async () => {
    expectUnreadable(await failure(cipher.decrypt('dest-1', `${LOCAL_CIPHERTEXT_PREFIX}AAAA`)));
    expectUnreadable(await failure(cipher.decrypt('dest-1', 'kms:v1:AQIDBA==')));
  });

  it('rejects a key that is not 32 bytes long', () => {
    expect(() => new LocalStreamKeyCipher(randomBytes(16))).toThrow(/32-byte key/);
  });
});
