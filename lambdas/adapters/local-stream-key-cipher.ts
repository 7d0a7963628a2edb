/**
 * Stream keys at rest in the local stack, where there is no KMS: AES-256-GCM with a 32-byte key the
 * local stack keeps under `.local/`. Real authenticated encryption, not a stub: the destination id
 * is the additional authenticated data, so a ciphertext moved to another destination, or altered
 * in any byte, fails to decrypt, just as a KMS ciphertext with the wrong encryption context does.
 *
 * Stored as `local:v1:<base64 of iv(12) | tag(16) | ciphertext>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { StreamKeyCipher } from '../core/ports';
import { InvalidConfigurationError } from '../core/errors';
import { describeScheme } from './stream-key-scheme';

export const LOCAL_CIPHERTEXT_PREFIX = 'local:v1:';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class LocalStreamKeyCipher implements StreamKeyCipher {
  private readonly key: Buffer;

  /** @param key exactly 32 random bytes (e.g. `randomBytes(32)`, kept in a file under `.local/`). */
  constructor(key: Uint8Array) {
    if (key.length !== KEY_BYTES) {
      throw new RangeError(`LocalStreamKeyCipher needs a ${KEY_BYTES}-byte key, got ${key.length} bytes.`);
    }
    this.key = Buffer.from(key);
  }

  async encrypt(destinationId: string, plaintext: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(destinationId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return LOCAL_CIPHERTEXT_PREFIX + Buffer.concat([iv, tag, body]).toString('base64');
  }

  async decrypt(destinationId: string, ciphertext: string): Promise<string> {
    if (!ciphertext.startsWith(LOCAL_CIPHERTEXT_PREFIX)) {
      throw unreadable(destinationId, `not a local ciphertext (${describeScheme(ciphertext)})`);
    }
    const raw = Buffer.from(ciphertext.slice(LOCAL_CIPHERTEXT_PREFIX.length), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw unreadable(destinationId, 'truncated');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const body = raw.subarray(IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(destinationId, 'utf8'));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(body), decipher.final()]);
      const key = plain.toString('utf8');
      plain.fill(0);
      return key;
    } catch (error) {
      // node:crypto's message ("Unsupported state or unable to authenticate data") holds no data.
      throw unreadable(destinationId, 'authentication failed', error);
    }
  }
}

function unreadable(destinationId: string, reason: string, cause?: unknown): InvalidConfigurationError {
  return new InvalidConfigurationError(
    `The stored stream key of destination "${destinationId}" cannot be decrypted (${reason}); enter the stream key again.`,
    cause === undefined ? undefined : { cause },
  );
}
