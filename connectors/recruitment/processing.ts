// Recruitment's record of processing (Art. 30).
import type { ProcessingDescription } from '../contract.js';

export const RECRUITMENT_PROCESSING: ProcessingDescription = {
  purposes: ['recruiting and assessing candidates', 'equal-opportunity monitoring where the law allows'],
  dataSubjects: ['job applicants', 'referees'],
  lawfulBasis:
    'steps before entering an employment contract (Art. 6(1)(b)); legal obligation (Art. 6(1)(c)); legitimate interests as an employer (Art. 6(1)(f))',
  specialCategoryCondition:
    'employment and equal-opportunity obligations under law (Art. 9(2)(b)); substantial public interest in equality of opportunity (Art. 9(2)(g))',
  recipients: ['hiring managers', 'background-check providers', "referees contacted with the candidate's agreement"],
};
