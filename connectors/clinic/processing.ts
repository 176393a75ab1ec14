// The clinic's record of processing (Art. 30): medical records and occupational health.
import type { ProcessingDescription } from '../contract.js';

export const CLINIC_PROCESSING: ProcessingDescription = {
  purposes: ['medical consultation and treatment', 'occupational health assessments for employers', 'keeping medical records as regulation requires'],
  dataSubjects: ['patients', "client employers' employees", 'emergency contacts'],
  lawfulBasis: 'contract (Art. 6(1)(b)); legal obligation to keep medical records (Art. 6(1)(c))',
  specialCategoryCondition: 'medical diagnosis, provision of health care and assessment of working capacity (Art. 9(2)(h))',
  recipients: ['the employer, for occupational-health outcomes (as controller)', 'treating medical providers'],
  transfers: "none outside the clinic's country",
};
