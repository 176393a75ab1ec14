// Opens the sealed parts of a request (identifiers, corrections) for the worker that
// needs them. The envelope is bound to the request row id as associated data, as
// RequestSecrets.seal has always written it: an envelope not bound to this row is refused.
import type { EncryptionKeyring } from '../crypto/index.js';
import type { Identifier, FieldChange } from '../../connectors/contract.js';
import { identifiersDestroyed } from '../requests/request-errors.js';

function open(keyring: EncryptionKeyring, envelope: string, requestId: string): string {
  return keyring.decryptString(envelope, requestId);
}

export function openIdentifiers(keyring: EncryptionKeyring, request: { id: string; identifiers_sealed: string | null }): Identifier[] {
  // R11: a completed erasure destroyed them; nothing may act on such a request again.
  if (!request.identifiers_sealed) throw identifiersDestroyed(request.id);
  return JSON.parse(open(keyring, request.identifiers_sealed, request.id)) as Identifier[];
}

export function openCorrections(keyring: EncryptionKeyring, request: { id: string; corrections_sealed: string | null }): FieldChange[] {
  if (!request.corrections_sealed) return [];
  return JSON.parse(open(keyring, request.corrections_sealed, request.id)) as FieldChange[];
}
