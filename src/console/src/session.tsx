// The signed-in key lives in sessionStorage (this tab only, gone when it closes) and in
// memory; never in localStorage. Signing out drops it.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Client, Provider, cacheExchange, fetchExchange } from 'urql';
import { graphql, type ResultOf } from './graphql';

const STORAGE_KEY = 'dsr-console-key';

export const MeQuery = graphql(`
  query Me {
    me {
      id
      kind
      name
      roles
      controllerIds
      permissions
    }
    version
  }
`);

export type Viewer = ResultOf<typeof MeQuery>['me'];

interface Session {
  viewer: Viewer;
  version: string;
  can(permission: string): boolean;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function makeClient(key: string): Client {
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    // Apollo's CSRF prevention: a JSON body and this header mark a deliberate client call.
    fetchOptions: () => ({ headers: { authorization: `Bearer ${key}`, 'apollo-require-preflight': 'true' } }),
  });
}

/** Checks a key against the API (the `me` query); resolves with who it is, or throws. */
export async function signIn(key: string): Promise<{ viewer: Viewer; version: string }> {
  const client = makeClient(key);
  const result = await client.query(MeQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  if (result.error || !result.data) throw result.error ?? new Error('No answer');
  return { viewer: result.data.me, version: result.data.version };
}

export function SessionProvider(props: { keyValue: string; viewer: Viewer; version: string; onSignOut: () => void; children: ReactNode }) {
  const { keyValue, viewer, version, onSignOut, children } = props;
  const client = useMemo(() => makeClient(keyValue), [keyValue]);
  const [permissions] = useState(() => new Set(viewer.permissions));
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    onSignOut();
  }, [onSignOut]);
  const session = useMemo<Session>(() => ({ viewer, version, can: (p) => permissions.has(p), signOut }), [viewer, version, permissions, signOut]);
  return (
    <SessionContext.Provider value={session}>
      <Provider value={client}>{children}</Provider>
    </SessionContext.Provider>
  );
}

export function rememberKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
