// The six reference sources as the demo registers them at start-up.
import { SourceKind } from '../src/domain/vocabulary.js';
import type { SourceConfig } from './source-config.js';

export interface DemoSourceOptions {
  /** The database holding the six schemas (the gateway's own in the demo). */
  databaseUrl: string;
  /** If databaseUrl holds a password, configs name this variable instead (default DSR_SOURCE_SECRET_DATABASE_URL: never the gateway's own DATABASE_URL). */
  databaseUrlEnv?: string;
  footageDir: string;
  /** Where the training service listens (see startTrainingService). */
  trainingBaseUrl: string;
  /** The variable holding the training service's shared secret (default DSR_SOURCE_SECRET_TRAINING). */
  trainingSecretEnv?: string;
}

export function demoSourceConfigs(options: DemoSourceOptions): SourceConfig[] {
  const hasPassword = Boolean(new URL(options.databaseUrl).password);
  const db = hasPassword ? { urlEnv: options.databaseUrlEnv ?? 'DSR_SOURCE_SECRET_DATABASE_URL' } : { url: options.databaseUrl };
  const builtin = (id: string, name: string, kind: SourceKind, system: 'case_management' | 'clinic' | 'concierge' | 'recruitment' | 'cctv'): SourceConfig => ({
    id,
    name,
    kind,
    type: 'builtin',
    connection: { system, schema: system, ...db, ...(system === 'cctv' ? { footageDir: options.footageDir } : {}) },
  });
  return [
    builtin('case_management', 'Case management', SourceKind.CASE_MANAGEMENT, 'case_management'),
    builtin('clinic', 'Clinic', SourceKind.CLINIC, 'clinic'),
    {
      id: 'training',
      name: 'Training',
      kind: SourceKind.TRAINING,
      type: 'remote',
      connection: { baseUrl: options.trainingBaseUrl, secretEnv: options.trainingSecretEnv ?? 'DSR_SOURCE_SECRET_TRAINING', timeoutMs: 10_000 },
    },
    builtin('concierge', 'Concierge', SourceKind.CONCIERGE, 'concierge'),
    builtin('recruitment', 'Recruitment', SourceKind.RECRUITMENT, 'recruitment'),
    builtin('cctv', 'CCTV', SourceKind.CCTV, 'cctv'),
  ];
}
