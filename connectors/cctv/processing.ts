// CCTV's record of processing (Art. 30).
import type { ProcessingDescription } from '../contract.js';

export const CCTV_PROCESSING: ProcessingDescription = {
  purposes: ['security of people and premises'],
  dataSubjects: ['visitors', 'staff', 'passers-by'],
  lawfulBasis: 'legitimate interests in the security of premises (Art. 6(1)(f))',
  recipients: ['police and authorities on lawful request'],
};
