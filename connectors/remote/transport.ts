// The remote protocol's HTTP POST. node:http with keep-alive agents rather than fetch:
// a discovery round waits on this call, and for small JSON bodies node:http costs about
// half of what fetch does (0.2 against 0.4–0.5 ms per call measured on the 2-core
// development machine), as fetch adds web streams on both sides of every call.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export interface PostReply {
  status: number;
  text: string;
}

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/** POSTs `body`; rejects on a network failure or when no answer came within `timeoutMs`. */
export function postJson(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, lookup?: LookupFunction): Promise<PostReply> {
  const secure = url.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise<PostReply>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: agents[secure ? 'https:' : 'http:'],
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
        // Where the gateway's destination policy checks each address at connect time.
        ...(lookup ? { lookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The same POST through a caller's fetch (a proxy or a test transport). */
export async function postJsonWithFetch(
  fetchImpl: typeof fetch,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostReply> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}
