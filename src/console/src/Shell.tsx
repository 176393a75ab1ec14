import type { ReactNode } from 'react';
import { AppShell, Badge, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { NavLink as RouterLink, useLocation } from 'react-router';
import { useSession } from './session';

/** Screens in the navigation, each shown only to roles that may use it. */
const SCREENS = [
  { to: '/requests', label: 'Inbox', permission: 'request:read' },
  { to: '/requests/new', label: 'New request', permission: 'request:write' },
  { to: '/find', label: 'Find a person', permission: 'discovery:run' },
  { to: '/sources', label: 'Sources', permission: 'source:read' },
  { to: '/tombstones', label: 'Tombstone check', permission: 'tombstone:check' },
  { to: '/retention', label: 'Retention', permission: 'retention:read' },
  { to: '/audit', label: 'Audit log', permission: 'audit:read' },
  { to: '/keys', label: 'API keys', permission: 'key:manage' },
] as const;

export function firstScreen(permissions: Set<string>): string {
  return SCREENS.find((s) => permissions.has(s.permission))?.to ?? '/nothing';
}

export function Shell({ children }: { children: ReactNode }) {
  const { viewer, version, can, signOut } = useSession();
  const location = useLocation();
  const visible = SCREENS.filter((s) => can(s.permission));
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: { base: 170, md: 220 }, breakpoint: 'xs' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Title order={1} size="h5">
            DSR Gateway console
          </Title>
          <Group gap="xs" wrap="nowrap" role="group" aria-label="Signed in as">
            <Text size="sm" data-testid="principal">
              {viewer.name ?? viewer.id} {/* The key id is left out of narrow windows (200 % zoom): the header stays on one line. */}
              <Text span c="dimmed" visibleFrom="md">
                ({viewer.kind} {viewer.id})
              </Text>
            </Text>
            {viewer.roles.map((r) => (
              <Badge key={r} data-testid="role">
                {r}
              </Badge>
            ))}
            <Button variant="default" size="xs" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Screens">
        <Stack gap={2} component="nav">
          {visible.map((s) => (
            <NavLink key={s.to} component={RouterLink} to={s.to} end label={s.label} variant="filled" active={location.pathname === s.to} />
          ))}
          {visible.length === 0 && <Text size="sm">Your roles give no screen in this console.</Text>}
        </Stack>
        <Text size="xs" c="dimmed" mt="auto">
          Gateway {version}
        </Text>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
