// The concierge service's record of processing (Art. 30).
import type { ProcessingDescription } from '../contract.js';

export const CONCIERGE_PROCESSING: ProcessingDescription = {
  purposes: ['concierge and lifestyle services to members', 'taking payment for bookings (PCI DSS)'],
  dataSubjects: ['members'],
  lawfulBasis: 'contract with the member (Art. 6(1)(b))',
  recipients: ['booked service providers', 'card payment processors'],
};
