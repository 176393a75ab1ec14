import { useEffect, useState, type FormEvent } from 'react';
import { Button, Center, Divider, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { ApiError } from '../errors';
import { rememberKey, signIn, type Viewer } from '../session';
import { oidcSettings, startOidcSignIn, type OidcSettings } from '../oidc';

export function SignIn({ onSignedIn, failure = null }: { onSignedIn: (key: string, s: { viewer: Viewer; version: string }) => void; failure?: Error | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<Error | null>(failure);
  const [busy, setBusy] = useState(false);
  // OIDC is offered only when the gateway is configured for it (DSR_OIDC_CONSOLE_CLIENT_ID).
  const [oidc, setOidc] = useState<OidcSettings | null>(null);
  useEffect(() => {
    oidcSettings().then(setOidc, () => setOidc(null));
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await signIn(key.trim());
      rememberKey(key.trim());
      onSignedIn(key.trim(), s);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" component="main">
      <Paper withBorder p="xl" w={440} component="form" onSubmit={submit}>
        <Stack>
          <Title order={1} size="h3">
            DSR Gateway console
          </Title>
          <Text size="sm">
            Sign in with your API key (<code>dsr_…</code>). It is kept in this browser tab only and forgotten when you sign out or close the tab.
          </Text>
          <PasswordInput label="API key" required autoComplete="off" value={key} onChange={(e) => setKey(e.currentTarget.value)} />
          <ApiError error={error} title="Sign-in failed" />
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
          {oidc && (
            <>
              <Divider label="or" />
              <Button
                variant="default"
                onClick={() => {
                  setError(null);
                  startOidcSignIn(oidc).catch((err: Error) => setError(err));
                }}
              >
                Sign in with your organisation (OIDC)
              </Button>
            </>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
