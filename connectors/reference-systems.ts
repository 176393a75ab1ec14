// The reference systems' store definitions by name, from the built-in list.
import { BUILTIN_SYSTEMS } from './builtin.js';
import type { SystemDefinition } from './shared/system.js';

type Builtin = (typeof BUILTIN_SYSTEMS)[number];

export type ReferenceSystemName = Builtin['name'];

export const REFERENCE_SYSTEMS = Object.fromEntries(BUILTIN_SYSTEMS.map((s) => [s.name, s.store])) as Record<ReferenceSystemName, SystemDefinition>;

export const REFERENCE_SYSTEM_NAMES = BUILTIN_SYSTEMS.map((s) => s.name) as ReferenceSystemName[];
