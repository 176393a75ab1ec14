// Retention policies as the privacy notices state them (DOMAIN.md table), for the unit tests.
import type { RetentionPolicy } from '../../../connectors/contract.js';

export const retention = {
  case: { summary: '2 years active, then 1 year archive', activePeriod: 'P2Y', archivePeriod: 'P1Y', statutory: false, erasure: 'ANONYMISE' },
  clinic: {
    summary: '3 years, then 30 years archive',
    activePeriod: 'P3Y',
    archivePeriod: 'P30Y',
    statutory: true,
    basis: 'legal obligation to keep original medical records',
    erasure: 'LEGAL_HOLD',
  },
  training: { summary: '2 years, then 1 year archive', activePeriod: 'P2Y', archivePeriod: 'P1Y', statutory: false, erasure: 'DELETE' },
  concierge: { summary: 'varies by data type', statutory: false, erasure: 'DELETE' },
  recruitment: { summary: 'country-dependent, then a minimal record', activePeriod: 'P1Y', statutory: false, erasure: 'MINIMISE' },
  cctv: { summary: 'at most 90 days', maxAge: 'P90D', statutory: false, erasure: 'PURGE_SEGMENTS' },
} satisfies Record<string, RetentionPolicy>;
