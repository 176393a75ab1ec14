// A gateway whose database also holds the six reference stores, seeded with the synthetic
// population, the training platform's stand-in service, and the six registered as sources.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { demoSourceConfigs } from '../../../connectors/demo-sources.js';
import { startTrainingService, type TrainingService } from '../../../connectors/training/service.js';
import { readGroundTruth, type GroundTruthEntry } from '../../../src/population/ground-truth.js';
import { seedReferenceSources, type SeedResult } from '../../../src/population/seed.js';
import { startTestGateway, type TestGateway } from '../../support/runtime.js';

export interface ReferenceGateway {
  gw: TestGateway;
  seed: SeedResult;
  truth: GroundTruthEntry[];
  training: TrainingService;
  stop(): Promise<void>;
}

/** Limits raised so one operation may ask about 50 subjects (aliases). */
export const WIDE_OPERATIONS = {
  GRAPHQL_MAX_ALIASES: '200',
  GRAPHQL_MAX_COST: '1000000',
  GRAPHQL_MAX_TOKENS: '200000',
  GRAPHQL_MAX_DEPTH: '20',
  RATE_LIMIT_PER_MINUTE: '100000',
};

export async function startReferenceGateway(options: { people: number; seed: number; env?: Record<string, string> }): Promise<ReferenceGateway> {
  const secret = randomBytes(24).toString('base64url');
  const gw = await startTestGateway({ worker: false, env: { ...WIDE_OPERATIONS, DSR_SOURCE_SECRET_TRAINING: secret, ...options.env } });
  const groundTruthPath = path.join(os.tmpdir(), `dsr-discovery-truth-${randomBytes(4).toString('hex')}.csv`);
  const seed = await seedReferenceSources({
    url: gw.databaseUrl,
    people: options.people,
    seed: options.seed,
    groundTruthPath,
    referenceDate: new Date('2026-06-01T00:00:00Z'),
  });
  const truth: GroundTruthEntry[] = [];
  for await (const e of readGroundTruth(groundTruthPath)) truth.push(e);
  await rm(groundTruthPath, { force: true });
  const training = await startTrainingService({ url: gw.databaseUrl, secret });
  const configs = demoSourceConfigs({
    databaseUrl: gw.databaseUrl,
    footageDir: os.tmpdir(),
    trainingBaseUrl: training.baseUrl,
    trainingSecretEnv: 'DSR_SOURCE_SECRET_TRAINING',
  });
  for (const config of configs) await gw.runtime.services.sources.register(config, 'test');
  let stopped = false;
  return {
    gw,
    seed,
    truth,
    training,
    async stop() {
      if (!stopped) await training.close().catch(() => undefined);
      stopped = true;
      await gw.stop();
    },
  };
}

export const SUBJECT_FIELDS = `
  complete rounds
  sources { sourceId status error records rounds }
  records {
    sourceId recordId recordType band score relationship parentRecordId controllerId categories
    explanation { field group level kind queryValue recordValue withheld weight m u tfAdjustment }
    matchWeight { priorWeight totalWeight probability agreeingIdentifiers matchedAgainst round }
    data withheldFields lastActivityAt
    retention { retainUntil statutory legalHold expired basis }
    source { id name kind }
  }`;

export interface SubjectAnswer {
  complete: boolean;
  rounds: number;
  sources: { sourceId: string; status: string; error: string | null; records: number; rounds: number }[];
  records: {
    sourceId: string;
    recordId: string;
    recordType: string;
    band: 'MATCH' | 'REVIEW';
    score: number;
    relationship: string;
    parentRecordId: string | null;
    controllerId: string | null;
    categories: string[];
    explanation: {
      field: string;
      group: string;
      level: string;
      kind: string;
      queryValue: string | null;
      recordValue: string | null;
      withheld: boolean;
      weight: number;
    }[];
    matchWeight: { priorWeight: number; totalWeight: number; probability: number; agreeingIdentifiers: string[]; matchedAgainst: string; round: number };
    data: Record<string, unknown>;
    lastActivityAt: string | null;
    withheldFields: string[];
    retention: { retainUntil: string | null; statutory: boolean; legalHold: boolean; expired: boolean; basis: string | null };
    source: { id: string; name: string; kind: string };
  }[];
}
