// Settings of the request service, read from the environment and validated at start.
import { z } from 'zod';
import { resolveJurisdiction } from '../calendar.js';
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from '../deadlines.js';

export interface RequestSettings {
  deadlines: DeadlinePolicy;
  /** How long an access package download link lives. */
  packageLinkTtlMs: number;
  /** How long an access package is kept at all (ACCESS_PACKAGE_RETENTION_DAYS, validated with the configuration). */
  packageRetentionMs: number;
  /** Prefix of download links (e.g. https://dsr.example.org); relative links without it. */
  publicBaseUrl: string;
}

const schema = z.object({
  DSR_DEFAULT_JURISDICTION: z.string().min(2).default(DEFAULT_DEADLINE_POLICY.defaultJurisdiction),
  DSR_DUE_SOON_DAYS: z.coerce.number().int().min(1).max(30).default(DEFAULT_DEADLINE_POLICY.dueSoonDays),
  ACCESS_PACKAGE_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 14).default(24),
  PUBLIC_BASE_URL: z.url().optional(),
});

/** Throws a message naming the variable when a value is wrong. */
export function requestSettingsFromEnv(env: Record<string, string | undefined>, packageRetentionDays: number): RequestSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  const v = parsed.data;
  // Unknown jurisdiction codes fail at start, not on the first request.
  resolveJurisdiction(v.DSR_DEFAULT_JURISDICTION);
  return {
    deadlines: { ...DEFAULT_DEADLINE_POLICY, defaultJurisdiction: v.DSR_DEFAULT_JURISDICTION, dueSoonDays: v.DSR_DUE_SOON_DAYS },
    packageLinkTtlMs: Math.round(v.ACCESS_PACKAGE_TTL_HOURS * 3_600_000),
    packageRetentionMs: packageRetentionDays * 86_400_000,
    publicBaseUrl: (v.PUBLIC_BASE_URL ?? '').replace(/\/+$/, ''),
  };
}
