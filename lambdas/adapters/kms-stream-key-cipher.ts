/**
 * Stream keys at rest, in AWS: KMS `Encrypt`/`Decrypt` with the module's customer-managed key.
 *
 * Decision: the key is encrypted directly by KMS with the encryption context
 * `{ destinationId: <id> }` and the ciphertext is stored in the destination item as
 * `kms:v1:<base64 CiphertextBlob>` (`streamKeyCiphertext`).
 * - One KMS call per create/update and per decrypt (only when MediaLive needs the key), and
 *   nothing besides the item to create, rotate or clean up when a destination is deleted.
 * - The encryption context binds a ciphertext to its destination: copied onto another item it
 *   fails to decrypt, and CloudTrail records which destination each Decrypt was for. The key
 *   policy can require it (`kms:EncryptionContext:destinationId`).
 * - Rejected: an SSM SecureString parameter per destination, which would add a resource with its
 *   own lifecycle (orphans when a delete half-fails), its own IAM scope and SSM's TPS limits, for
 *   no gain in protection over KMS directly.
 * - The `kms:v1:` tag names the scheme, so the local cipher's `local:v1:` values (or a future
 *   scheme) are recognised instead of being sent to KMS as garbage.
 *
 * Errors never carry the plaintext: messages name the destination and the AWS error name only.
 */
import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { StreamKeyCipher, StreamKeyDecrypter, StreamKeyEncrypter } from '../core/ports';
import { InvalidConfigurationError, RestreamingError, ServiceUnavailableError, ThrottledError } from '../core/errors';
import { describeScheme } from './stream-key-scheme';

export const KMS_CIPHERTEXT_PREFIX = 'kms:v1:';

/** The ciphertext does not belong to this destination, was altered, or was made by another key. */
const UNREADABLE = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);
/** The key itself cannot be used until someone fixes it (enable it, grant access, ...). */
const KEY_UNUSABLE = new Set([
  'AccessDeniedException',
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'InvalidKeyUsageException',
  'InvalidArnException',
]);
const THROTTLING = new Set(['ThrottlingException', 'LimitExceededException']);

/** Decrypt only: what the stream monitor bundles, so its code (and role) cannot Encrypt. */
export class KmsStreamKeyDecrypter implements StreamKeyDecrypter {
  /** @param keyId the customer-managed key (ARN, id or alias): `STREAM_KEY_KMS_KEY_ID`. */
  constructor(
    protected readonly kms: KMSClient,
    protected readonly keyId: string,
  ) {}

  async decrypt(destinationId: string, ciphertext: string): Promise<string> {
    if (!ciphertext.startsWith(KMS_CIPHERTEXT_PREFIX)) {
      throw new InvalidConfigurationError(
        `The stored stream key of destination "${destinationId}" is not a KMS ciphertext (${describeScheme(ciphertext)}); enter the stream key again.`,
      );
    }
    const blob = Buffer.from(ciphertext.slice(KMS_CIPHERTEXT_PREFIX.length), 'base64');
    let plain: Uint8Array | undefined;
    try {
      const out = await this.kms.send(
        new DecryptCommand({ CiphertextBlob: blob, KeyId: this.keyId, EncryptionContext: { destinationId } }),
      );
      plain = out.Plaintext;
    } catch (error) {
      throw mapKmsError(error, 'Decrypt', destinationId);
    }
    if (plain === undefined) {
      throw new ServiceUnavailableError(`KMS Decrypt returned no plaintext for destination "${destinationId}".`);
    }
    const key = new TextDecoder().decode(plain);
    plain.fill(0);
    return key;
  }
}

/** Encrypt only: what the API bundles, so its code (and role) cannot Decrypt a stream key. */
export class KmsStreamKeyEncrypter implements StreamKeyEncrypter {
  /** @param keyId the customer-managed key (ARN, id or alias): `STREAM_KEY_KMS_KEY_ID`. */
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  encrypt(destinationId: string, plaintext: string): Promise<string> {
    return encryptWithKms(this.kms, this.keyId, destinationId, plaintext);
  }
}

/** Encrypt and decrypt, for tests and tools that need both. */
export class KmsStreamKeyCipher extends KmsStreamKeyDecrypter implements StreamKeyCipher {
  encrypt(destinationId: string, plaintext: string): Promise<string> {
    return encryptWithKms(this.kms, this.keyId, destinationId, plaintext);
  }
}

async function encryptWithKms(kms: KMSClient, keyId: string, destinationId: string, plaintext: string): Promise<string> {
  let blob: Uint8Array | undefined;
  try {
    const out = await kms.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: new TextEncoder().encode(plaintext),
        EncryptionContext: { destinationId },
      }),
    );
    blob = out.CiphertextBlob;
  } catch (error) {
    throw mapKmsError(error, 'Encrypt', destinationId);
  }
  if (blob === undefined || blob.length === 0) {
    throw new ServiceUnavailableError(`KMS Encrypt returned no ciphertext for destination "${destinationId}".`);
  }
  return KMS_CIPHERTEXT_PREFIX + Buffer.from(blob).toString('base64');
}

function mapKmsError(error: unknown, operation: 'Encrypt' | 'Decrypt', destinationId: string): RestreamingError {
  if (error instanceof RestreamingError) return error;
  const name = error instanceof Error ? error.name : 'UnknownError';
  const options = { cause: error };
  if (THROTTLING.has(name)) {
    return new ThrottledError(`KMS throttled ${operation} for destination "${destinationId}" (${name}); retry later.`, options);
  }
  if (operation === 'Decrypt' && UNREADABLE.has(name)) {
    return new InvalidConfigurationError(
      `The stored stream key of destination "${destinationId}" cannot be decrypted (${name}); enter the stream key again.`,
      options,
    );
  }
  if (KEY_UNUSABLE.has(name)) {
    return new InvalidConfigurationError(
      `The stream-key KMS key cannot be used for ${operation} (${name}); check that it exists, is enabled and that the function's role may use it.`,
      options,
    );
  }
  return new ServiceUnavailableError(`KMS ${operation} for destination "${destinationId}" failed (${name}).`, options);
}
