// The built-in reference systems: the one list. Each folder exports a descriptor (its store,
// connector, demo population and demo registration); adding a system is adding its folder
// and one line here (plus a SourceKind value when its kind is new).
import type { Connector } from './contract.js';
import type { BuiltinConnectorOptions, BuiltinSystem } from './shared/builtin-system.js';
import { caseManagement } from './case-management/descriptor.js';
import { clinic } from './clinic/descriptor.js';
import { training } from './training/descriptor.js';
import { concierge } from './concierge/descriptor.js';
import { recruitment } from './recruitment/descriptor.js';
import { cctv } from './cctv/descriptor.js';

/** In seeding and demo order. */
export const BUILTIN_SYSTEMS = [caseManagement, clinic, training, concierge, recruitment, cctv] as const;

export type { BuiltinConnectorOptions };

/** The built-in system of a given name (throws for an unknown one: configs are validated first). */
export function builtinSystem(name: string): BuiltinSystem<object> {
  const system = (BUILTIN_SYSTEMS as readonly BuiltinSystem<object>[]).find((s) => s.name === name);
  if (!system) throw new Error(`no built-in system ${name}`);
  return system;
}

/** Builds the connector of a built-in reference system. */
export function createBuiltinConnector(system: string, options: BuiltinConnectorOptions): Connector {
  return builtinSystem(system).createConnector(options);
}
