// Case management's record of processing (Art. 30), as the group's privacy notices state it.
import type { ProcessingDescription } from '../contract.js';

export const CASE_MANAGEMENT_PROCESSING: ProcessingDescription = {
  purposes: [
    'medical, travel and security assistance to members',
    'referral to medical and logistics providers',
    'quality and training of assistance staff (recorded calls)',
  ],
  dataSubjects: ['members', "members' dependants and beneficiaries", 'emergency contacts'],
  lawfulBasis: 'contract with the member or their employer (Art. 6(1)(b)); legitimate interests in assisting members (Art. 6(1)(f))',
  specialCategoryCondition: 'medical diagnosis and provision of health care (Art. 9(2)(h)); vital interests where the member cannot consent (Art. 9(2)(c))',
  recipients: ['the employer or insurer that controls the case (as controller)', 'medical and logistics providers', "the group's assistance centres"],
  transfers: "assistance centres worldwide, under standard contractual clauses and the group's intra-group agreement",
};
