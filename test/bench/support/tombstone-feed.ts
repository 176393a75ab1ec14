// Tombstone checks as a source feed makes them: `POST /v1/tombstones/check` over HTTP with
// a CONNECTOR key, one call after the other, in the two batch shapes the docs describe:
// the reference roster import's (100 people per call, each with the identifiers a roster
// row gives) and the endpoint's maximum (1,000 identifiers per call). The same batches
// are then checked in process (the tombstone service, no HTTP) for the ratio.
import { identifiersOfRosterPerson } from '../../../connectors/case-management/roster-import.js';
import type { Identifier } from '../../../connectors/contract.js';
import type { Services } from '../../../src/app/services.js';
import { personAt } from '../../../src/population/person.js';
import { checkPeople } from '../../../src/tombstones/tombstone-check.js';

export interface FeedShape {
  name: string;
  /** One call's body: people with their identifiers. */
  batches: { ref: string; identifiers: Identifier[] }[][];
}

export interface FeedFigures {
  shape: string;
  calls: number;
  identifiers: number;
  people: number;
  hits: number;
  httpSeconds: number;
  inProcessSeconds: number;
}

/** A roster row of population person `index`, as an employer's feed would send it. */
function rosterPerson(seed: number, index: number): { ref: string; identifiers: Identifier[] } {
  const p = personAt(seed, index);
  return {
    ref: `row-${index}`,
    identifiers: identifiersOfRosterPerson({
      ref: `row-${index}`,
      givenName: p.givenName,
      familyName: p.familyName,
      dateOfBirth: p.dateOfBirth,
      email: p.email,
      phone: p.phone,
      membershipNumber: p.membershipNumber,
      employer: p.employer.name,
    }),
  };
}

/**
 * `calls` batches of each shape over the population (`people` persons of `seed`), so some
 * rows are people the benchmark erased (their tombstones answer) and most are not.
 */
export function feedShapes(seed: number, people: number, calls: number): FeedShape[] {
  let next = 0;
  const person = () => rosterPerson(seed, next++ % people);
  const roster = Array.from({ length: calls }, () => Array.from({ length: 100 }, person));
  const full = Array.from({ length: calls }, () => {
    const batch: { ref: string; identifiers: Identifier[] }[] = [];
    let n = 0;
    for (;;) {
      const p = person();
      if (n + p.identifiers.length > 1000) p.identifiers = p.identifiers.slice(0, 1000 - n);
      batch.push(p);
      n += p.identifiers.length;
      if (n >= 1000) return batch;
    }
  });
  return [
    { name: 'roster import (100 people per call)', batches: roster },
    { name: 'endpoint maximum (1,000 identifiers per call)', batches: full },
  ];
}

/** Runs one shape over HTTP (one call at a time, as the feed does), then in process. */
export async function measureFeed(services: Services, baseUrl: string, apiKey: string, shape: FeedShape): Promise<FeedFigures> {
  let hits = 0;
  let t = performance.now();
  for (const batch of shape.batches) {
    const res = await fetch(`${baseUrl}/v1/tombstones/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ people: batch }),
    });
    if (!res.ok) throw new Error(`tombstone check answered ${res.status}: ${await res.text()}`);
    const answer = (await res.json()) as { people: { tombstoned: boolean }[] };
    hits += answer.people.filter((p) => p.tombstoned).length;
  }
  const httpSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  for (const batch of shape.batches)
    await checkPeople(services.tombstones, batch as Parameters<typeof checkPeople>[1], { controllerIds: null, everyController: true });
  const inProcessSeconds = (performance.now() - t) / 1000;
  return {
    shape: shape.name,
    calls: shape.batches.length,
    identifiers: shape.batches.flat().reduce((n, p) => n + p.identifiers.length, 0),
    people: shape.batches.flat().length,
    hits,
    httpSeconds,
    inProcessSeconds,
  };
}
