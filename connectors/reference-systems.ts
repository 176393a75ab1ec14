// The six reference systems by name: their store definitions and connector classes.
import type { SystemDefinition } from './shared/system.js';
import { caseManagementSystem } from './case-management/schema.js';
import { clinicSystem } from './clinic/schema.js';
import { trainingSystem } from './training/schema.js';
import { conciergeSystem } from './concierge/schema.js';
import { recruitmentSystem } from './recruitment/schema.js';
import { cctvSystem } from './cctv/schema.js';

export const REFERENCE_SYSTEMS = {
  case_management: caseManagementSystem,
  clinic: clinicSystem,
  training: trainingSystem,
  concierge: conciergeSystem,
  recruitment: recruitmentSystem,
  cctv: cctvSystem,
} satisfies Record<string, SystemDefinition>;

export type ReferenceSystemName = keyof typeof REFERENCE_SYSTEMS;

export const REFERENCE_SYSTEM_NAMES = Object.keys(REFERENCE_SYSTEMS) as ReferenceSystemName[];
