import { inspect } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DecryptCommand,
  DisabledException,
  EncryptCommand,
  InvalidCiphertextException,
  KMSClient,
  KMSInternalException,
  type DecryptCommandInput,
  type EncryptCommandInput,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { KMS_CIPHERTEXT_PREFIX, KmsStreamKeyCipher } from '../../../lambdas/adapters/kms-stream-key-cipher';
import { InvalidConfigurationError, ServiceUnavailableError, ThrottledError } from '../../../lambdas/core/errors';

const KEY_ID = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const PLAINTEXT = 'test-stream-key-not-real-0001';
const metadata = { $metadata: {} };

const kmsMock = mockClient(KMSClient);
const cipher = new KmsStreamKeyCipher(new KMSClient({ region: 'us-east-1' }), KEY_ID);

/**
 * A stand-in for KMS that behaves like it where it matters here: the blob is opaque, and Decrypt
 * fails with InvalidCiphertextException unless key and encryption context match the Encrypt call.
 */
function fakeKms(): void {
  const sealed = new Map<string, { keyId: string; context: string; plaintext: Uint8Array }>();
  let next = 0;
  kmsMock.on(EncryptCommand).callsFake((input: EncryptCommandInput) => {
    next += 1;
    const blob = Buffer.from(`opaque-blob-${next}`);
    sealed.set(blob.toString('hex'), {
      keyId: input.KeyId ?? '',
      context: JSON.stringify(input.EncryptionContext ?? {}),
      plaintext: Uint8Array.from(input.Plaintext ?? []),
    });
    return { CiphertextBlob: blob, KeyId: input.KeyId };
  });
  kmsMock.on(DecryptCommand).callsFake((input: DecryptCommandInput) => {
    const entry = sealed.get(Buffer.from(input.CiphertextBlob ?? []).toString('hex'));
    if (!entry || entry.keyId !== input.KeyId || entry.context !== JSON.stringify(input.EncryptionContext ?? {})) {
      throw new InvalidCiphertextException({ message: '', ...metadata });
    }
    return { Plaintext: Uint8Array.from(entry.plaintext), KeyId: entry.keyId };
  });
}

beforeEach(() => {
  kmsMock.reset();
});

afterAll(() => {
  kmsMock.restore();
});

function expectNoPlaintext(error: unknown): void {
  const rendered = [String(error), (error as Error).message, JSON.stringify(error), inspect(error, { depth: 6 })].join('\n');
  expect(rendered).not.toContain(PLAINTEXT);
}

describe('KmsStreamKeyCipher', () => {
  it('encrypts with the configured key and the destination id as encryption context', async () => {
    fakeKms();

    const ciphertext = await cipher.encrypt('dest-1', PLAINTEXT);

    expect(kmsMock).toHaveReceivedCommandTimes(EncryptCommand, 1);
    expect(kmsMock).toHaveReceivedCommandWith(EncryptCommand, {
      KeyId: KEY_ID,
      EncryptionContext: { destinationId: 'dest-1' },
    });
    const sent = kmsMock.commandCalls(EncryptCommand)[0]?.args[0].input;
    expect(new TextDecoder().decode(sent?.Plaintext)).toBe(PLAINTEXT);
    expect(ciphertext.startsWith(KMS_CIPHERTEXT_PREFIX)).toBe(true);
    expect(ciphertext).not.toContain(PLAINTEXT);
  });

  it('stores the KMS blob base64-encoded after the kms:v1: tag', async () => {
    kmsMock.on(EncryptCommand).resolves({ CiphertextBlob: Uint8Array.from([1, 2, 3, 250]) });

    await expect(cipher.encrypt('dest-1', PLAINTEXT)).resolves.toBe(`kms:v1:${Buffer.from([1, 2, 3, 250]).toString('base64')}`);
  });

  it('decrypts with the same key id and encryption context', async () => {
    fakeKms();
    const ciphertext = await cipher.encrypt('dest-2', PLAINTEXT);

    await expect(cipher.decrypt('dest-2', ciphertext)).resolves.toBe(PLAINTEXT);

    expect(kmsMock).toHaveReceivedCommandWith(DecryptCommand, {
      KeyId: KEY_ID,
      EncryptionContext: { destinationId: 'dest-2' },
      CiphertextBlob: Buffer.from(ciphertext.slice(KMS_CIPHERTEXT_PREFIX.length), 'base64'),
    });
  });

  it('refuses a ciphertext moved to another destination, without revealing the key', async () => {
    fakeKms();
    const ciphertext = await cipher.encrypt('dest-3', PLAINTEXT);

    const error = await cipher.decrypt('dest-other', ciphertext).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toMatch(/dest-other.*cannot be decrypted.*enter the stream key again/);
    expectNoPlaintext(error);
  });

  it('refuses a ciphertext of another scheme without calling KMS', async () => {
    const error = await cipher.decrypt('dest-4', 'local:v1:AAAA').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toContain('local:v1');
    expect(kmsMock).not.toHaveReceivedCommand(DecryptCommand);
  });

  it('maps KMS throttling to ThrottledError without the plaintext in the error', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', ...metadata });
    kmsMock.on(EncryptCommand).rejects(cause);

    const error = await cipher.encrypt('dest-5', PLAINTEXT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toHaveProperty('cause', cause);
    expectNoPlaintext(error);
  });

  it('maps a disabled key to InvalidConfigurationError saying what to check', async () => {
    kmsMock.on(EncryptCommand).rejects(new DisabledException({ message: 'key is disabled', ...metadata }));

    const error = await cipher.encrypt('dest-6', PLAINTEXT).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidConfigurationError);
    expect((error as Error).message).toMatch(/DisabledException.*enabled/);
    expectNoPlaintext(error);
  });

  it('maps a KMS internal failure on decrypt to ServiceUnavailableError', async () => {
    kmsMock.on(DecryptCommand).rejects(new KMSInternalException({ message: 'internal', ...metadata }));

    const error = await cipher.decrypt('dest-7', `${KMS_CIPHERTEXT_PREFIX}AQID`).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toHaveProperty('cause');
  });
});
