// Retention and controller overrides as a registration gives them.
import type { ControllerPolicy, RetentionPolicy } from '../contract.js';

export type RetentionInput = Partial<RetentionPolicy>;
export type ControllerPolicyInput = ControllerPolicy;
