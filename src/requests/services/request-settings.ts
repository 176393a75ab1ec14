// Settings of the request service: this section's variables, validated with the rest of
// the configuration by loadConfig (src/config/config.ts).
import { z } from 'zod';
import { resolveJurisdiction } from '../calendar.js';
import { DEFAULT_CHILD_AGE_POLICY, parseChildAges, type ChildAgePolicy } from '../child-age.js';
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from '../deadlines.js';

export interface RequestSettings {
  deadlines: DeadlinePolicy;
  /** How long an access package download link lives. */
  packageLinkTtlMs: number;
  /** How long an access package is kept at all (ACCESS_PACKAGE_RETENTION_DAYS, validated with the configuration). */
  packageRetentionMs: number;
  /** Prefix of download links (e.g. https://dsr.example.org); relative links without it. */
  publicBaseUrl: string;
  /** R16: the age under which a child's data in an online service is deleted at once, per jurisdiction. */
  childAge: ChildAgePolicy;
}

export const requestVariables = z.object({
  // Unknown jurisdiction codes fail at start, not on the first request.
  DSR_DEFAULT_JURISDICTION: z
    .string()
    .min(2)
    .superRefine((code, ctx) => {
      try {
        resolveJurisdiction(code);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    })
    .default(DEFAULT_DEADLINE_POLICY.defaultJurisdiction),
  DSR_DUE_SOON_DAYS: z.coerce.number().int().min(1).max(30).default(DEFAULT_DEADLINE_POLICY.dueSoonDays),
  ACCESS_PACKAGE_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 14)
    .default(24),
  PUBLIC_BASE_URL: z.url().optional(),
  DSR_CHILD_AGE: z.coerce.number().int().min(1).max(21).default(DEFAULT_CHILD_AGE_POLICY.defaultAge),
  // e.g. "US=13": jurisdictions whose law sets another age; codes resolve like DSR_DEFAULT_JURISDICTION.
  DSR_CHILD_AGE_BY_JURISDICTION: z
    .string()
    .default('')
    .transform((text, ctx) => {
      try {
        const table = parseChildAges(text);
        for (const code of Object.keys(table)) resolveJurisdiction(code);
        return table;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
});

export function requestSettings(v: z.infer<typeof requestVariables>, packageRetentionDays: number): RequestSettings {
  return {
    deadlines: { ...DEFAULT_DEADLINE_POLICY, defaultJurisdiction: v.DSR_DEFAULT_JURISDICTION, dueSoonDays: v.DSR_DUE_SOON_DAYS },
    packageLinkTtlMs: Math.round(v.ACCESS_PACKAGE_TTL_HOURS * 3_600_000),
    packageRetentionMs: packageRetentionDays * 86_400_000,
    publicBaseUrl: (v.PUBLIC_BASE_URL ?? '').replace(/\/+$/, ''),
    childAge: { defaultAge: v.DSR_CHILD_AGE, byJurisdiction: v.DSR_CHILD_AGE_BY_JURISDICTION },
  };
}
