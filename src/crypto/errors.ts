// Coded errors of the crypto layer. Messages never contain key material or plaintext.

export type CryptoErrorCode =
  /** A key variable is missing (production) or malformed; the message names the variable. */
  | 'CONFIG_ERROR'
  /** The envelope is not of the form v1.<kid>.<iv>.<ciphertext>.<tag>. */
  | 'MALFORMED_CIPHERTEXT'
  /** The envelope names a key id the keyring does not hold (retired too early?). */
  | 'UNKNOWN_KEY_ID'
  /** Authentication failed: wrong key, wrong associated data or tampered ciphertext. */
  | 'DECRYPTION_FAILED';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
