// Revoking a built package (the identity proved false, the link went to the wrong address):
// it cannot be undone, so the button only opens a confirmation that asks why.
import { useState } from 'react';
import { useMutation } from 'urql';
import { Alert, Button, Group, Text, TextInput } from '@mantine/core';
import { ApiError } from '../errors';
import * as Docs from './request-documents';

export function RevokePackage({ requestId, controllerId }: { requestId: string; controllerId: string | null }) {
  const [state, revoke] = useMutation(Docs.RevokePackage);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (!asking) {
    return (
      <Button color="red" variant="light" onClick={() => setAsking(true)}>
        Revoke package
      </Button>
    );
  }
  const confirm = async () => {
    const result = await revoke({ id: requestId, controllerId, reason });
    if (!result.error) setAsking(false);
  };
  return (
    <Alert color="red" title="Revoke this package?" w="100%">
      <Text size="sm">
        Its archive is destroyed and its link stops working at once; whoever holds the link sees only that it expired. No new link can be made afterwards. A
        copy already downloaded cannot be called back.
      </Text>
      <TextInput label="Why revoke it" value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={360} mt="xs" />
      <Group mt="xs">
        <Button color="red" disabled={!reason.trim()} loading={state.fetching} onClick={() => void confirm()}>
          Revoke now
        </Button>
        <Button variant="default" onClick={() => setAsking(false)}>
          Keep it
        </Button>
      </Group>
      <ApiError error={state.error} />
    </Alert>
  );
}
