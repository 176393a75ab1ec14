// The request rules: pure functions the GraphQL services, jobs and repositories call.
export * from './errors.js';
export * from './state-machine.js';
export * from './calendar.js';
export * from './deadlines.js';
export * from './durations.js';
export * from './decisions.js';
export * from './rectification.js';
export * from './redaction.js';
export * from './access-package.js';
export * from './response-summary.js';
export * from './duplicates.js';
