import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * Tokens at rest: AES-256-GCM with a random 96-bit nonce per value, the key from
 * ALLIANCE_ENCRYPTION_KEY (32 bytes, as 64 hex digits or base64). A stored value reads
 * `v1.<key id>.<nonce>.<tag>.<ciphertext>` (base64url), where the key id is the first 8 hex digits
 * of the key's SHA-256: decryption picks the key by id, so after a rotation values written with
 * the previous key (ALLIANCE_ENCRYPTION_KEY_PREVIOUS) still open until `npm run reencrypt` has
 * rewritten them with the new one. GCM's tag makes any change to a stored value an error, and the
 * value's purpose (e.g. the workspace id) is bound in as associated data, so a ciphertext copied
 * onto another workspace's row does not decrypt.
 */

export class EncryptionKeyError extends Error {
  override name = 'EncryptionKeyError';
}

export interface Keyring {
  /** Id of the key new values are written with. */
  currentId: string;
  encrypt(plaintext: string, associatedData: string): string;
  decrypt(stored: string, associatedData: string): string;
  /** Whether a stored value was written with an older key (and should be re-encrypted). */
  isStale(stored: string): boolean;
}

/** 32 bytes from 64 hex digits or base64 (standard or url-safe); anything else is refused. */
export function parseKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (key === undefined || key.length !== 32) throw new EncryptionKeyError('must be 32 random bytes as 64 hex digits or base64 (generate one with: openssl rand -hex 32)');
  return key;
}

export const keyIdOf = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

const b64 = (b: Buffer) => b.toString('base64url');

export function createKeyring(current: string, previous: string[] = []): Keyring {
  const currentKey = parseKey(current);
  const currentId = keyIdOf(currentKey);
  const keys = new Map<string, Buffer>([[currentId, currentKey]]);
  for (const raw of previous) {
    const key = parseKey(raw);
    if (!keys.has(keyIdOf(key))) keys.set(keyIdOf(key), key);
  }
  return {
    currentId,
    encrypt(plaintext, associatedData) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, nonce);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', currentId, b64(nonce), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
    },
    decrypt(stored, associatedData) {
      const parts = stored.split('.');
      if (parts.length !== 5 || parts[0] !== 'v1') throw new EncryptionKeyError('A stored token is not in the expected encrypted form');
      const [, id, nonce, tag, ciphertext] = parts as [string, string, string, string, string];
      const key = keys.get(id);
      if (key === undefined) {
        throw new EncryptionKeyError(
          `A stored token was encrypted with key ${id}, which is neither ALLIANCE_ENCRYPTION_KEY (${currentId}) nor in ALLIANCE_ENCRYPTION_KEY_PREVIOUS`,
        );
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new EncryptionKeyError('A stored token failed its integrity check (changed, or moved from another workspace)');
      }
    },
    isStale(stored) {
      return stored.split('.')[1] !== currentId;
    },
  };
}
