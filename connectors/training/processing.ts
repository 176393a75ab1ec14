// The training platform's record of processing (Art. 30).
import type { ProcessingDescription } from '../contract.js';

export const TRAINING_PROCESSING: ProcessingDescription = {
  purposes: ['e-learning and classroom training', 'certificates and their verification'],
  dataSubjects: ['learners', "client employers' employees"],
  lawfulBasis: 'contract with the learner or their employer (Art. 6(1)(b)); consent for certificate verification by third parties (Art. 6(1)(a))',
  recipients: ["the learner's employer (attendance and completion)", "third parties verifying a certificate, with the learner's agreement"],
};
