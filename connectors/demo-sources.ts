// The reference sources as the demo registers them at start-up, each as its descriptor says.
import { BUILTIN_SYSTEMS } from './builtin.js';
import type { BuiltinSystem, DemoConnection, DemoDatabase, DemoService } from './shared/builtin-system.js';
import type { SourceConfig } from './source-config.js';
import { POPULATION_PHONE_COUNTRY } from '../src/population/person.js';

type Builtin = (typeof BUILTIN_SYSTEMS)[number];
type ExtraOf<S> = S extends BuiltinSystem<infer E> ? E : never;
type Intersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The demo database plus every system's own demo options (a footage directory, a service address). */
export type DemoSourceOptions = DemoDatabase & Intersection<ExtraOf<Builtin>>;

const systems = BUILTIN_SYSTEMS as readonly BuiltinSystem<object>[];

export function demoSourceConfigs(options: DemoSourceOptions): SourceConfig[] {
  const hasPassword = Boolean(new URL(options.databaseUrl).password);
  const db: DemoConnection = hasPassword ? { urlEnv: options.databaseUrlEnv ?? 'DSR_SOURCE_SECRET_DATABASE_URL' } : { url: options.databaseUrl };
  // Their population writes UK numbers: read and keyed as GB whatever the deployment's default.
  return systems.map((s) => ({ ...s.demo.source(options, db), phoneCountry: POPULATION_PHONE_COUNTRY }));
}

/** Every system's demo options read from the environment (npm run demo:load). */
export function demoOptionsFromEnv(env: Record<string, string | undefined>): Partial<DemoSourceOptions> {
  return Object.assign({}, ...systems.map((s) => s.demo.fromEnv?.(env) ?? {}));
}

/** The schema names of the reference stores, as the demo creates them. */
export const DEMO_STORE_NAMES: readonly string[] = systems.map((s) => s.store.name);

/** Starts the side services the demo's systems need; their options go to demoSourceConfigs. */
export async function startDemoServices(databaseUrl: string): Promise<{ options: Partial<DemoSourceOptions>; close(): Promise<void> }> {
  const started: DemoService<object>[] = [];
  for (const s of systems) if (s.demo.start) started.push(await s.demo.start(databaseUrl));
  return {
    options: Object.assign({}, ...started.map((x) => x.options)),
    close: async () => {
      for (const x of started) await x.close();
    },
  };
}
