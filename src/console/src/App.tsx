import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes } from 'react-router';
import { SessionProvider, forgetKey, rememberKey, signIn, storedKey, type Viewer } from './session';
import { finishOidcSignIn, oidcSettings, takeOidcReturn } from './oidc';
import { SignIn } from './screens/SignIn';
import { Shell, firstScreen } from './Shell';
import { Inbox } from './screens/Inbox';

// Heavier screens load on demand, keeping the first screen's JavaScript small.
const RequestPage = lazy(() => import('./screens/RequestPage'));
const NewRequest = lazy(() => import('./screens/NewRequest'));
const FindPerson = lazy(() => import('./screens/FindPerson'));
const Sources = lazy(() => import('./screens/Sources'));
const TombstoneCheck = lazy(() => import('./screens/TombstoneCheck'));
const AuditLog = lazy(() => import('./screens/AuditLog'));
const ApiKeys = lazy(() => import('./screens/ApiKeys'));
const Retention = lazy(() => import('./screens/Retention'));
const RetentionRunPage = lazy(() => import('./screens/Retention').then((m) => ({ default: m.RetentionRunPage })));

// Read as the console loads, before the router sees the address; used up by the first sign-in.
let oidcReturn = takeOidcReturn();

interface SignedIn {
  key: string;
  viewer: Viewer;
  version: string;
}

export function App() {
  const [session, setSession] = useState<SignedIn | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null || oidcReturn !== null);
  const [failure, setFailure] = useState<Error | null>(null);

  useEffect(() => {
    const returned = oidcReturn;
    if (returned) {
      oidcReturn = null;
      // Back from the OIDC provider: the access token is used like a key.
      oidcSettings()
        .then(async (settings) => {
          if (!settings) throw new Error('OIDC sign-in is not configured on this gateway');
          const token = await finishOidcSignIn(settings, returned);
          const s = await signIn(token);
          rememberKey(token);
          setSession({ key: token, ...s });
        })
        .catch((error: Error) => setFailure(error))
        .finally(() => setRestoring(false));
      return;
    }
    const key = storedKey();
    if (!key) return;
    signIn(key)
      .then((s) => setSession({ key, ...s }))
      .catch(() => forgetKey())
      .finally(() => setRestoring(false));
  }, []);

  const onSignOut = useCallback(() => setSession(null), []);

  if (restoring) {
    return (
      <Center h="100vh">
        <Loader aria-label="Signing in" />
      </Center>
    );
  }
  if (!session) return <SignIn failure={failure} onSignedIn={(key, s) => setSession({ key, ...s })} />;

  const permissions = new Set(session.viewer.permissions);
  return (
    <SessionProvider keyValue={session.key} viewer={session.viewer} version={session.version} onSignOut={onSignOut}>
      <Shell>
        <Suspense
          fallback={
            <Center p="xl">
              <Loader aria-label="Loading" />
            </Center>
          }
        >
          <Routes>
            <Route path="/" element={<Navigate to={firstScreen(permissions)} replace />} />
            <Route path="/requests" element={<Inbox />} />
            <Route path="/requests/new" element={<NewRequest />} />
            <Route path="/requests/:id" element={<RequestPage />} />
            <Route path="/find" element={<FindPerson />} />
            <Route path="/sources" element={<Sources />} />
            <Route path="/tombstones" element={<TombstoneCheck />} />
            <Route path="/audit" element={<AuditLog />} />
            <Route path="/keys" element={<ApiKeys />} />
            <Route path="/retention" element={<Retention />} />
            <Route path="/retention/:id" element={<RetentionRunPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        </Suspense>
      </Shell>
    </SessionProvider>
  );
}
