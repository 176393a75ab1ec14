// R6: a record its source moved to another controller after the request's instructions (a
// contract handed over to a successor employer) is not the request's to change: that
// controller gave no instruction. The task fails for good and the person is told why. Pure.

export const CONTROLLER_CHANGED = 'CONTROLLER_CHANGED';

/** The task's error (task table and audit; names no controller). */
export const controllerChangedError = (action: string) =>
  `${CONTROLLER_CHANGED}: ${action} not run, the source now holds the record for another controller, which gave no instruction for this request (R6)`;

/** What the person reads in the answer for such a record. */
export const CONTROLLER_CHANGED_TO_PERSON = 'the system now holds this record for another controller, which gave us no instruction about it';
