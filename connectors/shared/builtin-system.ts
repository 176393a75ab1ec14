// What a built-in reference system is, as one object its folder exports: the store, how to
// build its connector, the rows of the demo population, and how the demo registers it.
// connectors/builtin.ts lists them; nothing else in the gateway names a built-in system.
import type { Connector } from '../contract.js';
import type { SourceConfig } from '../source-config.js';
import type { GeneratedRow, GenerationContext } from '../../src/population/context.js';
import type { Person } from '../../src/population/person.js';
import type { ReferenceStoreConfig } from './reference-connector.js';
import type { SystemDefinition } from './system.js';

export interface BuiltinConnectorOptions extends ReferenceStoreConfig {
  /** Where a system keeps media files outside its database (footage); systems without files ignore it. */
  footageDir?: string;
}

/** The rows the synthetic population has in one system. */
export interface DemoPopulation {
  /** Rows about no one that the system needs first (a site's cameras), loaded before any person's. */
  fixedRows?(): Iterable<GeneratedRow>;
  /** The rows about one person, their appearances in other people's records included. */
  rowsOf(ctx: GenerationContext, person: Person): AsyncGenerator<GeneratedRow>;
  /** Clears what a previous seeding left outside the database (files), before this one writes. */
  prepare?(options: { footageDir?: string }): Promise<void>;
}

/** The demo's registration settings every built-in system gets. */
export interface DemoDatabase {
  /** The database holding the systems' schemas (the gateway's own in the demo). */
  databaseUrl: string;
  /** If databaseUrl holds a password, configs name this variable instead (default DSR_SOURCE_SECRET_DATABASE_URL: never the gateway's own DATABASE_URL). */
  databaseUrlEnv?: string;
}

/** The connection fields of a registration reaching the demo database (a URL or the variable holding it). */
export type DemoConnection = { url: string } | { urlEnv: string };

/** A side service the demo runs for a system (a stand-in platform reached over the remote protocol). */
export interface DemoService<Extra> {
  /** The demo options it provides (its address), to give demoSource. */
  options: Partial<Extra>;
  close(): Promise<void>;
}

export interface DemoRegistration<Extra extends object> {
  /** The source config the demo registers for this system. */
  source(options: DemoDatabase & Extra, db: DemoConnection): SourceConfig;
  /** This system's demo options from the environment (npm run demo:load). */
  fromEnv?(env: Record<string, string | undefined>): Partial<Extra>;
  /** Starts what the demo needs beside the store (npm start's demo). */
  start?(databaseUrl: string): Promise<DemoService<Extra>>;
}

/** One built-in reference system. `Extra` are the demo options only this system needs. */
export interface BuiltinSystem<Extra extends object = object> {
  /** The name configs give as `connection.system`; also the store's default schema. */
  name: string;
  store: SystemDefinition;
  createConnector(options: BuiltinConnectorOptions): Connector;
  population: DemoPopulation;
  demo: DemoRegistration<Extra>;
}

/** A registration of a built-in system in the demo database. */
export function builtinDemoSource(store: SystemDefinition, label: string, db: DemoConnection, connection: { footageDir?: string } = {}): SourceConfig {
  return {
    id: store.name,
    name: label,
    kind: store.kind,
    type: 'builtin',
    connection: { system: store.name, schema: store.name, ...db, ...connection },
  } as SourceConfig;
}

/** A built-in system that needs nothing beyond its store: its connector, its rows, registered in the demo database. */
export function referenceSystem(
  store: SystemDefinition,
  label: string,
  createConnector: BuiltinSystem['createConnector'],
  rowsOf: DemoPopulation['rowsOf'],
): BuiltinSystem {
  return { name: store.name, store, createConnector, population: { rowsOf }, demo: { source: (_options, db) => builtinDemoSource(store, label, db) } };
}
