import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { useMutation, useQuery, type AnyVariables, type TypedDocumentNode } from 'urql';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Loader,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import type { ResultOf } from '../graphql';
import { ScrollTable } from '../components/ScrollTable';
import { ApiError } from '../errors';
import { useSession } from '../session';
import { DeadlineBadge } from '../components/DeadlineBadge';
import { Waterfall, type WaterfallBar } from '../components/Waterfall';
import { formatDate, humanise } from '../components/format';
import { saveAccessPackage } from '../components/access-package-download';
import { AuditActionName } from '../components/AuditActionName';
import { RequestEventName } from '../components/RequestEventName';
import * as Docs from './request-documents';
import { RevokePackage } from './RevokePackage';

type Req = NonNullable<ResultOf<typeof Docs.RequestQuery>['request']>;
type Rec = Req['records'][number];
type SourceRef = { id: string; name: string; kind: string };

const ACTIVE_TASK = new Set(['PENDING', 'QUEUED', 'RUNNING', 'REOPENED']);

export default function RequestPage() {
  const { id = '' } = useParams();
  const [{ data, fetching, error }, refetch] = useQuery({ query: Docs.RequestQuery, variables: { id } });
  const req = data?.request;
  // Live progress while the tasks run: poll the request.
  useEffect(() => {
    if (req?.status !== 'EXECUTING') return;
    const timer = setInterval(() => refetch({ requestPolicy: 'network-only' }), 1500);
    return () => clearInterval(timer);
  }, [req?.status, refetch]);

  if (!data && fetching) return <Loader aria-label="Loading the request" />;
  if (error && !data) return <ApiError error={error} />;
  if (!req) return <Alert title="Not found">This request does not exist, or it is outside your controllers.</Alert>;
  const names = new Map<string, SourceRef>(data!.sources.map((s) => [s.id, s]));
  return <RequestView req={req} sources={names} />;
}

/** Runs one mutation of the page and shows its error; the answer refreshes the page's data. */
function useAction<V extends AnyVariables, D>(doc: TypedDocumentNode<D, V>) {
  const [state, run] = useMutation(doc);
  return { run, busy: state.fetching, error: state.error, data: state.data };
}

function RequestView({ req, sources }: { req: Req; sources: Map<string, SourceRef> }) {
  const { can } = useSession();
  const writable = can('request:write');
  // Acts on the whole request (approve, retry, acknowledge, resume, the package link, extend,
  // hold, cancel, reject) need a key that sees all of it: not offered otherwise (said once, below).
  const wholeWritable = writable && req.viewerSeesWholeRequest;
  const allowed = new Set(req.allowedEvents);
  const execute = useAction(Docs.ExecuteRequest);
  const renew = useAction(Docs.RenewLink);
  const retry = useAction(Docs.RetryFailed);
  const acknowledge = useAction(Docs.Acknowledge);
  const resume = useAction(Docs.Resume);
  // The download link appears only in the answer of the mutation that minted it.
  const downloadUrl = renew.data?.renewAccessPackageLink.accessPackage?.downloadUrl ?? execute.data?.executeRequest.accessPackage?.downloadUrl ?? null;
  const sourceName = (sid: string) => sources.get(sid)?.name ?? sid;
  // R6: the links of packages returned to controllers, from the same answers.
  const returnedLinks = new Map(
    [...(execute.data?.executeRequest.returnedPackages ?? []), ...(renew.data?.renewAccessPackageLink.returnedPackages ?? [])]
      .filter((p) => p.downloadUrl)
      .map((p) => [p.controllerId, p.downloadUrl!]),
  );

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="start">
        <Stack gap={4}>
          <Title order={2}>
            {humanise(req.type)} request <Code>{req.id.slice(0, 8)}</Code>
          </Title>
          <Group gap="xs">
            <Badge size="lg" data-testid="status">
              {humanise(req.status)}
            </Badge>
            <Text size="sm">Answer:</Text>
            <DeadlineBadge standing={req.deadlineStanding} dueAt={req.effectiveDueAt} />
            <Text size="sm">Acknowledgement:</Text>
            <DeadlineBadge standing={req.acknowledgementStanding} dueAt={req.acknowledgeBy} />
          </Group>
        </Stack>
        {wholeWritable && (
          <Group gap="xs" role="group" aria-label="Actions">
            {allowed.has('approve') && (
              <Button onClick={() => execute.run({ id: req.id })} loading={execute.busy}>
                {req.type === 'ACCESS' ? 'Approve and build the access package' : 'Approve and execute'}
              </Button>
            )}
            {allowed.has('retryFailedTasks') && (
              <Button color="orange" onClick={() => retry.run({ id: req.id })} loading={retry.busy}>
                Retry failed tasks
              </Button>
            )}
            {!req.acknowledgedAt && !['COMPLETED', 'PARTIALLY_COMPLETED', 'REJECTED', 'CANCELLED'].includes(req.status) && (
              <Button variant="default" onClick={() => acknowledge.run({ id: req.id })} loading={acknowledge.busy}>
                Mark acknowledged
              </Button>
            )}
            {allowed.has('resume') && (
              <Button variant="default" onClick={() => resume.run({ id: req.id })} loading={resume.busy}>
                Resume
              </Button>
            )}
          </Group>
        )}
      </Group>
      {[execute, retry, acknowledge, resume, renew].map((a, i) => (
        <ApiError key={i} error={a.error} />
      ))}
      {writable && !req.viewerSeesWholeRequest && (
        <Alert color="gray" title="Actions on the whole request are not offered" data-testid="not-whole-request">
          This request holds records of controllers outside your key, or sources not searched yet that may hold theirs. Approving, retrying, acknowledging,
          extending, holding, resuming, cancelling or rejecting it, and a new download link, need a handler whose key sees all of it.
        </Alert>
      )}

      <Deadlines req={req} mayExtend={wholeWritable} />
      {wholeWritable && <ReasonActions req={req} />}
      {allowed.has('verifyIdentity') && writable && <VerifyForm req={req} />}
      {req.verifiedAt && (
        <Text size="sm">
          Identity verified {formatDate(req.verifiedAt, true)} by “{req.verificationMethod}”
          {req.verificationEvidenceRef ? ` (evidence: ${req.verificationEvidenceRef})` : ''}.
        </Text>
      )}
      {req.possibleDuplicateOf.length > 0 && (
        <Alert color="yellow" title="Possible duplicates">
          Other requests share an identifier with this one: {req.possibleDuplicateOf.map((d) => d.slice(0, 8)).join(', ')}.
        </Alert>
      )}
      {req.verifiedAt && <SourceOutcomes req={req} sourceName={sourceName} />}
      {req.records.length > 0 && <Records req={req} writable={writable} />}
      {req.decisions.length > 0 && <Decisions req={req} writable={writable} sourceName={sourceName} />}
      {req.decisions.some((d) => d.needsController) || req.controllerInstructions.length > 0 ? (
        <ControllerInstructions req={req} writable={writable} sourceName={sourceName} />
      ) : null}
      {req.tasks.length > 0 && <Tasks req={req} sourceName={sourceName} />}
      {req.type === 'ACCESS' && req.accessPackage && (
        <Card withBorder data-testid="access-package">
          <Title order={3} size="h4">
            Access package
          </Title>
          <Text size="sm">
            {req.accessPackage.files.length} files, {(req.accessPackage.sizeBytes / 1024).toFixed(1)} kB, SHA-256{' '}
            <Code>{req.accessPackage.sha256.slice(0, 16)}…</Code>.{' '}
            {req.accessPackage.destroyedAt ? (
              <PackageGone pkg={req.accessPackage} />
            ) : (
              `Link valid until ${formatDate(req.accessPackage.expiresAt, true)}${
                req.accessPackage.downloadedAt ? `, downloaded ${formatDate(req.accessPackage.downloadedAt, true)}` : ''
              }.`
            )}
          </Text>
          <PackageLink
            url={req.accessPackage.destroyedAt ? null : downloadUrl}
            renewable={wholeWritable && req.accessPackage.downloadAllowed}
            renewing={renew.busy}
            onRenew={() => renew.run({ id: req.id, controllerId: null })}
            revoke={wholeWritable && !req.accessPackage.destroyedAt ? <RevokePackage requestId={req.id} controllerId={null} /> : null}
            testId="download"
          />
        </Card>
      )}
      {req.returnedPackages.length > 0 && (
        <Card withBorder>
          <Title order={3} size="h4">
            Packages returned to controllers (R6)
          </Title>
          <Stack gap="xs" mt="xs">
            {req.returnedPackages.map((p) => (
              <div key={p.controllerId} data-testid="returned-package">
                <Text size="sm">
                  <Code>{p.controllerId}</Code>: {(p.sizeBytes / 1024).toFixed(1)} kB, SHA-256 <Code>{p.sha256.slice(0, 16)}…</Code>.{' '}
                  {p.destroyedAt ? <PackageGone pkg={p} /> : `Link valid until ${formatDate(p.expiresAt, true)}.`}
                </Text>
                <PackageLink
                  url={p.destroyedAt ? null : (returnedLinks.get(p.controllerId) ?? null)}
                  renewable={writable && !p.destroyedAt}
                  renewing={renew.busy}
                  onRenew={() => renew.run({ id: req.id, controllerId: p.controllerId })}
                  revoke={writable && !p.destroyedAt ? <RevokePackage requestId={req.id} controllerId={p.controllerId} /> : null}
                  testId={`download-returned-${p.controllerId}`}
                />
              </div>
            ))}
          </Stack>
        </Card>
      )}
      {req.response && <Response req={req} />}
      <Timeline req={req} />
    </Stack>
  );
}

/** A destroyed package: when, and why (a revocation with the handler's reason). */
function PackageGone({ pkg }: { pkg: { destroyedAt: string | null; destroyedReason: string | null; revocationReason: string | null } }) {
  const at = formatDate(pkg.destroyedAt!, true);
  if (pkg.destroyedReason === 'REVOKED') return <>{`Revoked ${at}: “${pkg.revocationReason ?? ''}”. Its link no longer works.`}</>;
  return <>{`Destroyed ${at}${pkg.destroyedReason ? ` (${humanise(pkg.destroyedReason)})` : ''}.`}</>;
}

/**
 * A package's one-time link, shown only in the answer that minted it: copied to send to the
 * person (or the controller), or downloaded here, which uses it up. Without one: a new link.
 * Beside them, revoking the package (`revoke`, when offered).
 */
function PackageLink({
  url,
  renewable,
  renewing,
  onRenew,
  revoke,
  testId,
}: {
  url: string | null;
  renewable: boolean;
  renewing: boolean;
  onRenew: () => void;
  revoke: ReactNode;
  testId: string;
}) {
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const download = (link: string) => {
    setDownloading(true);
    setError(null);
    saveAccessPackage(link)
      .catch((e: Error) => setError(e))
      .finally(() => setDownloading(false));
  };
  return (
    <>
      <Group mt="xs">
        {url ? (
          <>
            <CopyButton value={new URL(url, window.location.origin).href}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy} data-testid={`${testId}-copy`}>
                  {copied ? 'Link copied' : 'Copy the link to send'}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => download(url)} loading={downloading} data-testid={testId}>
              Download here (uses the link up)
            </Button>
          </>
        ) : (
          renewable && (
            <Button variant="default" onClick={onRenew} loading={renewing}>
              New download link
            </Button>
          )
        )}
        {revoke}
      </Group>
      {error && (
        <Alert color="red" mt="xs" data-testid={`${testId}-error`}>
          {error.message}
        </Alert>
      )}
    </>
  );
}

function Deadlines({ req, mayExtend }: { req: Req; mayExtend: boolean }) {
  const extend = useAction(Docs.Extend);
  const [reason, setReason] = useState('');
  const canExtend = mayExtend && req.dueAt && !req.extendedDueAt && !['COMPLETED', 'PARTIALLY_COMPLETED', 'REJECTED', 'CANCELLED'].includes(req.status);
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Deadlines
      </Title>
      <SimpleGrid cols={{ base: 2, md: 4 }} mt="xs">
        <Fact label="Received" value={formatDate(req.receivedAt, true)} />
        <Fact label="Acknowledge by (R3)" value={formatDate(req.acknowledgeBy, true)} />
        <Fact label="Due (R4)" value={formatDate(req.dueAt, true)} />
        <Fact label="Extended to (R5)" value={req.extendedDueAt ? `${formatDate(req.extendedDueAt, true)}: ${req.extensionReason}` : '—'} />
        <Fact label="Jurisdiction" value={req.jurisdiction} />
        <Fact label="Channel" value={req.channel ?? '—'} />
        <Fact label="Submitted by" value={req.createdBy} />
        <Fact label="Controllers" value={req.controllerIds.join(', ') || 'the group'} />
      </SimpleGrid>
      {canExtend && (
        <Group
          mt="sm"
          align="end"
          component="form"
          onSubmit={(e) => {
            e.preventDefault();
            extend.run({ id: req.id, reason });
          }}
        >
          <TextInput label="Reason for an extension" value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={360} />
          <Button type="submit" variant="default" loading={extend.busy}>
            Extend by two months
          </Button>
        </Group>
      )}
      <ApiError error={extend.error} />
      {req.extensionNotice && <ExtensionNoticeCard req={req} notice={req.extensionNotice} maySend={mayExtend} />}
    </Card>
  );
}

/** R5: the person is told of the extension; the handler sends the letter and records it here. */
function ExtensionNoticeCard({ req, notice, maySend }: { req: Req; notice: NonNullable<Req['extensionNotice']>; maySend: boolean }) {
  const sent = useAction(Docs.ExtensionNoticeSent);
  return (
    <Stack gap="xs" mt="sm" data-testid="extension-notice">
      <Text size="sm" fw={500}>
        Extension notice to the person (R5): {notice.sentAt ? `sent, recorded ${formatDate(notice.sentAt, true)} by ${notice.sentBy}` : 'to be sent'}
      </Text>
      <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="extension-notice-letter">
        {notice.letter}
      </Text>
      {!notice.sentAt && maySend && (
        <Group>
          <Button variant="default" onClick={() => sent.run({ id: req.id })} loading={sent.busy}>
            Mark extension notice sent
          </Button>
        </Group>
      )}
      <ApiError error={sent.error} />
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

function ReasonActions({ req }: { req: Req }) {
  const allowed = new Set(req.allowedEvents);
  const cancel = useAction(Docs.Cancel);
  const reject = useAction(Docs.Reject);
  const hold = useAction(Docs.Hold);
  const [reason, setReason] = useState('');
  if (!allowed.has('cancel') && !allowed.has('reject') && !allowed.has('hold')) return null;
  return (
    <Card withBorder>
      <Group align="end">
        <TextInput label="Reason (for hold, cancel or reject)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={360} />
        {allowed.has('hold') && (
          <Button variant="default" onClick={() => hold.run({ id: req.id, reason })} loading={hold.busy}>
            Put on hold
          </Button>
        )}
        {allowed.has('cancel') && (
          <Button variant="default" onClick={() => cancel.run({ id: req.id, reason })} loading={cancel.busy}>
            Cancel request
          </Button>
        )}
        {allowed.has('reject') && (
          <Button color="red" variant="light" onClick={() => reject.run({ id: req.id, reason })} loading={reject.busy}>
            Reject request
          </Button>
        )}
      </Group>
      {[cancel, reject, hold].map((a, i) => (
        <ApiError key={i} error={a.error} />
      ))}
      {req.holdReason && (
        <Text size="sm" mt="xs">
          On hold: {req.holdReason}
        </Text>
      )}
    </Card>
  );
}

function VerifyForm({ req }: { req: Req }) {
  const verify = useAction(Docs.VerifyIdentity);
  const [method, setMethod] = useState('');
  const [evidenceRef, setEvidenceRef] = useState('');
  const [verifiedOn, setVerifiedOn] = useState('');
  return (
    <Card
      withBorder
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        verify.run({ id: req.id, input: { method, evidenceRef: evidenceRef || null, verifiedAt: verifiedOn ? new Date(verifiedOn).toISOString() : null } });
      }}
    >
      <Title order={3} size="h4">
        Verify identity (R2)
      </Title>
      <Text size="sm">Nothing is released, corrected or erased before the person’s identity is verified. Verifying runs discovery across every source.</Text>
      <Group align="end" mt="xs">
        <TextInput
          label="Method"
          placeholder="passport seen on video call"
          required
          value={method}
          onChange={(e) => setMethod(e.currentTarget.value)}
          w={300}
        />
        <TextInput
          label="Evidence reference"
          placeholder="ticket or file reference"
          value={evidenceRef}
          onChange={(e) => setEvidenceRef(e.currentTarget.value)}
          w={220}
        />
        <TextInput label="Verified on (if before today)" type="date" value={verifiedOn} onChange={(e) => setVerifiedOn(e.currentTarget.value)} w={200} />
        <Button type="submit" loading={verify.busy}>
          Verify identity
        </Button>
      </Group>
      <ApiError error={verify.error} />
    </Card>
  );
}

function SourceOutcomes({ req, sourceName }: { req: Req; sourceName: (id: string) => string }) {
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Sources asked at verification
      </Title>
      {req.discoveryComplete === false && (
        <Alert color="red" title="Partial answer" mt="xs" role="alert">
          At least one source failed or timed out: the records below may not be all of the person’s.
        </Alert>
      )}
      <ScrollTable label="Sources asked">
        <Table mt="xs" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Outcome</Table.Th>
              <Table.Th scope="col">Records</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {req.sourceOutcomes.map((o) => (
              <Table.Tr key={o.sourceId} data-testid="source-outcome">
                <Table.Td>{sourceName(o.sourceId)}</Table.Td>
                <Table.Td>
                  <Badge color={o.status === 'ANSWERED' ? 'green' : 'red'}>{humanise(o.status)}</Badge>
                  {o.errorCode && <Code ml="xs">{o.errorCode}</Code>}
                </Table.Td>
                <Table.Td>{o.records}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Card>
  );
}

const refOf = (r: { sourceId: string; recordId: string }) => `${r.sourceId}/${r.recordId}`;

function Records({ req, writable }: { req: Req; writable: boolean }) {
  const confirm = useAction(Docs.ConfirmMatches);
  const reject = useAction(Docs.RejectMatches);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [open, setOpen] = useState<string | null>(null);
  const groups = useMemo(() => {
    const bySource = new Map<string, Rec[]>();
    for (const r of req.records) bySource.set(r.sourceId, [...(bySource.get(r.sourceId) ?? []), r]);
    return [...bySource.entries()];
  }, [req.records]);
  const pending = req.records.filter((r) => r.reviewState === 'PENDING');
  const refs = (list: string[]) =>
    list.map((ref) => {
      const [sourceId, ...rest] = ref.split('/');
      return { sourceId: sourceId!, recordId: rest.join('/') };
    });
  const act = async (kind: 'confirm' | 'reject', list: string[]) => {
    const run = kind === 'confirm' ? confirm.run : reject.run;
    const result = await run({ id: req.id, records: refs(list) });
    if (!result.error) setSelected(new Set());
  };
  const canReview = writable && ['IN_REVIEW', 'AWAITING_CONTROLLER', 'IDENTITY_VERIFIED'].includes(req.status);

  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={3} size="h4">
          Records found ({req.records.length}; {pending.length} to review)
        </Title>
        {canReview && pending.length > 0 && (
          <Group gap="xs">
            <Button size="xs" disabled={selected.size === 0} loading={confirm.busy} onClick={() => act('confirm', [...selected])}>
              Confirm selected ({selected.size})
            </Button>
            <Button size="xs" color="red" variant="light" disabled={selected.size === 0} loading={reject.busy} onClick={() => act('reject', [...selected])}>
              Reject selected
            </Button>
          </Group>
        )}
      </Group>
      <ApiError error={confirm.error ?? reject.error} />
      {groups.map(([sourceId, records]) => {
        const source = records[0]!.source;
        return (
          <Stack key={sourceId} gap={4} mt="md" data-testid={`records-${sourceId}`}>
            <Title order={4} size="h5">
              {source.name}{' '}
              <Text span c="dimmed" size="sm">
                ({humanise(source.kind)}; retention: {source.retention?.summary ?? 'unknown'}
                {source.retention?.statutory ? `, statutory: ${source.retention.basis ?? ''}` : ''})
              </Text>
            </Title>
            <ScrollTable label={`Records of ${source.name}`}>
              <Table fz="sm" striped>
                <Table.Thead>
                  <Table.Tr>
                    {canReview && (
                      <Table.Th scope="col">
                        <VisuallyHidden>Select</VisuallyHidden>
                      </Table.Th>
                    )}
                    <Table.Th scope="col">Record</Table.Th>
                    <Table.Th scope="col">Band</Table.Th>
                    <Table.Th scope="col">Score</Table.Th>
                    <Table.Th scope="col">Relationship</Table.Th>
                    <Table.Th scope="col">Categories</Table.Th>
                    <Table.Th scope="col">Review</Table.Th>
                    <Table.Th scope="col">Why</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {records.map((r) => {
                    const ref = refOf(r);
                    const bars = (Array.isArray(r.explanation) ? r.explanation : []) as WaterfallBar[];
                    return [
                      <Table.Tr key={ref} data-testid="record-row" data-band={r.band} data-review={r.reviewState}>
                        {canReview && (
                          <Table.Td>
                            {r.reviewState === 'PENDING' && (
                              <Checkbox
                                aria-label={`Select ${r.recordType} ${r.recordId}`}
                                checked={selected.has(ref)}
                                onChange={(e) => {
                                  const next = new Set(selected);
                                  if (e.currentTarget.checked) next.add(ref);
                                  else next.delete(ref);
                                  setSelected(next);
                                }}
                              />
                            )}
                          </Table.Td>
                        )}
                        <Table.Td>
                          {r.recordType} <Code>{r.recordId}</Code>
                        </Table.Td>
                        <Table.Td>
                          <Badge color={r.band === 'MATCH' ? 'green' : 'yellow'}>{r.band}</Badge>
                        </Table.Td>
                        <Table.Td>{(r.score * 100).toFixed(1)} %</Table.Td>
                        <Table.Td>{humanise(r.relationship)}</Table.Td>
                        <Table.Td>{r.categories.join(', ')}</Table.Td>
                        <Table.Td>
                          {humanise(r.reviewState)}
                          {canReview && r.reviewState === 'PENDING' && (
                            <Group gap={4} mt={2}>
                              <Button size="compact-xs" onClick={() => act('confirm', [ref])} aria-label={`Confirm ${r.recordType} ${r.recordId}`}>
                                Confirm
                              </Button>
                              <Button
                                size="compact-xs"
                                color="red"
                                variant="light"
                                onClick={() => act('reject', [ref])}
                                aria-label={`Reject ${r.recordType} ${r.recordId}`}
                              >
                                Reject
                              </Button>
                            </Group>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Button
                            size="compact-xs"
                            variant="default"
                            aria-expanded={open === ref}
                            onClick={() => setOpen(open === ref ? null : ref)}
                            aria-label={`${open === ref ? 'Hide' : 'Explain'} the match of ${r.recordType} ${r.recordId}`}
                          >
                            {open === ref ? 'Hide' : 'Explain'}
                          </Button>
                        </Table.Td>
                      </Table.Tr>,
                      open === ref && (
                        <Table.Tr key={`${ref}-why`}>
                          <Table.Td colSpan={canReview ? 8 : 7}>
                            <Waterfall bars={bars} score={r.score} label={`${r.recordType} ${r.recordId}`} />
                          </Table.Td>
                        </Table.Tr>
                      ),
                    ];
                  })}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          </Stack>
        );
      })}
    </Card>
  );
}

const ACTIONS = ['RELEASE', 'ERASE', 'ANONYMISE', 'RESTRICT', 'RETAIN', 'MINIMISE', 'CORRECT', 'ANNOTATE', 'PURGE'] as const;
type Action = (typeof ACTIONS)[number];

function Decisions({ req, writable, sourceName }: { req: Req; writable: boolean; sourceName: (id: string) => string }) {
  const override = useAction(Docs.OverrideDecision);
  const [target, setTarget] = useState<string | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const canOverride = writable && ['IN_REVIEW', 'AWAITING_CONTROLLER'].includes(req.status);
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Decisions
      </Title>
      <ScrollTable label="Decisions">
        <Table fz="sm" mt="xs" striped data-testid="decisions">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Record</Table.Th>
              <Table.Th scope="col">Action</Table.Th>
              <Table.Th scope="col">Basis</Table.Th>
              <Table.Th scope="col">Retain until</Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
              <Table.Th scope="col">Rules</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {req.decisions.map((d) => (
              <Table.Tr key={refOf(d)}>
                <Table.Td>{sourceName(d.sourceId)}</Table.Td>
                <Table.Td>
                  <Code>{d.recordId}</Code>
                </Table.Td>
                <Table.Td>
                  <Badge color={d.action === 'RETAIN' ? 'grape' : d.action === 'ERASE' ? 'red' : 'blue'}>{d.action}</Badge>
                  {d.needsController && <Text size="xs">waits for the controller (then {d.proposedAction})</Text>}
                  {d.followUpAction && <Text size="xs">then {d.followUpAction}</Text>}
                  {d.overridden && (
                    <Text size="xs">
                      overridden (was {d.computedAction}) by {d.overriddenBy}: {d.overrideReason}
                    </Text>
                  )}
                  {d.needsReview && (
                    <Text size="xs" c="orange.9">
                      needs a handler’s look
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{d.basis ?? '—'}</Table.Td>
                <Table.Td>{formatDate(d.retainUntil)}</Table.Td>
                <Table.Td>{d.reason}</Table.Td>
                <Table.Td>{d.rules.join(', ')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      {canOverride && (
        <Group
          mt="sm"
          align="end"
          component="form"
          aria-label="Override a decision"
          onSubmit={(e) => {
            e.preventDefault();
            if (!target || !action) return;
            const [sourceId, ...rest] = target.split('/');
            override.run({ id: req.id, input: { sourceId: sourceId!, recordId: rest.join('/'), action, reason } });
          }}
        >
          <Select
            label="Record to override"
            data={req.decisions.map((d) => ({ value: refOf(d), label: `${sourceName(d.sourceId)} ${d.recordId}` }))}
            value={target}
            onChange={setTarget}
            w={260}
            searchable
          />
          <Select label="New action" data={[...ACTIONS]} value={action} onChange={(v) => setAction(v as Action | null)} w={160} />
          <TextInput label="Reason (required)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={300} />
          <Button type="submit" variant="default" loading={override.busy}>
            Override
          </Button>
        </Group>
      )}
      <ApiError error={override.error} />
    </Card>
  );
}

function ControllerInstructions({ req, writable, sourceName }: { req: Req; writable: boolean; sourceName: (id: string) => string }) {
  const record = useAction(Docs.RecordInstruction);
  const waiting = waitingControllers(req);
  const sources = [...waiting.keys()];
  const [chosen, setSourceId] = useState<string | null>(null);
  // Once a source is answered it leaves the list: fall back to the next one waiting.
  const sourceId = chosen && waiting.has(chosen) ? chosen : (sources[0] ?? null);
  // A source may hold records of several controllers: each instructs for its own records only (R6).
  const controllers = sourceId ? (waiting.get(sourceId) ?? []) : [];
  const [chosenController, setControllerId] = useState<string | null>(null);
  const controllerId = chosenController && controllers.includes(chosenController) ? chosenController : (controllers[0] ?? null);
  const [decision, setDecision] = useState<'PROCEED' | 'REFUSE' | 'CONTROLLER_GONE'>('PROCEED');
  const [reference, setReference] = useState('');
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Controller instructions (R6, R7)
      </Title>
      {req.controllerInstructions.length > 0 && (
        <ScrollTable label="Controller instructions">
          <Table fz="sm" mt="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Source</Table.Th>
                <Table.Th scope="col">Controller</Table.Th>
                <Table.Th scope="col">Decision</Table.Th>
                <Table.Th scope="col">Reference</Table.Th>
                <Table.Th scope="col">By</Table.Th>
                <Table.Th scope="col">When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {req.controllerInstructions.map((c) => (
                <Table.Tr key={`${c.sourceId}-${c.controllerId}`}>
                  <Table.Td>{sourceName(c.sourceId)}</Table.Td>
                  <Table.Td>{c.controllerId}</Table.Td>
                  <Table.Td>{humanise(c.decision)}</Table.Td>
                  <Table.Td>{c.reference ?? '—'}</Table.Td>
                  <Table.Td>{c.actor}</Table.Td>
                  <Table.Td>{formatDate(c.at, true)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
      {writable && sourceId && controllerId && (
        <Group
          mt="sm"
          align="end"
          component="form"
          aria-label="Record a controller instruction"
          onSubmit={(e) => {
            e.preventDefault();
            record.run({ id: req.id, input: { sourceId, controllerId, decision, reference: reference || null } });
          }}
        >
          <Select label="Source" data={sources.map((s) => ({ value: s, label: sourceName(s) }))} value={sourceId} onChange={setSourceId} w={240} />
          <Select
            label="Controller"
            data={controllers.map((c) => ({ value: c, label: c }))}
            value={controllerId}
            onChange={setControllerId}
            w={200}
            description={controllers.length > 1 ? `${controllers.length} controllers’ records in this source` : undefined}
          />
          <Select
            label="Controller’s decision"
            data={[
              { value: 'PROCEED', label: 'Proceed' },
              { value: 'REFUSE', label: 'Refuse' },
              { value: 'CONTROLLER_GONE', label: 'Controller gone' },
            ]}
            value={decision}
            onChange={(v) => v && setDecision(v as typeof decision)}
            w={200}
          />
          <TextInput label="Controller’s reference" value={reference} onChange={(e) => setReference(e.currentTarget.value)} w={220} />
          <Button type="submit" loading={record.busy}>
            Record instruction
          </Button>
        </Group>
      )}
      <ApiError error={record.error} />
    </Card>
  );
}

/** Per source, the controllers whose records still wait for their instruction (from the records the decisions are about). */
function waitingControllers(req: Req): Map<string, string[]> {
  const controllerOf = new Map(req.records.map((r) => [`${r.sourceId}\u0000${r.recordId}`, r.controllerId]));
  const out = new Map<string, string[]>();
  for (const d of req.decisions.filter((x) => x.needsController)) {
    const controllerId = controllerOf.get(`${d.sourceId}\u0000${d.recordId}`);
    if (!controllerId) continue;
    const list = out.get(d.sourceId) ?? [];
    if (!list.includes(controllerId)) out.set(d.sourceId, [...list, controllerId]);
  }
  return out;
}

function Tasks({ req, sourceName }: { req: Req; sourceName: (id: string) => string }) {
  const bySource = new Map<string, Req['tasks']>();
  for (const t of req.tasks) bySource.set(t.sourceId, [...(bySource.get(t.sourceId) ?? []), t]);
  const done = req.tasks.filter((t) => !ACTIVE_TASK.has(t.status)).length;
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Execution ({done} of {req.tasks.length} tasks finished)
      </Title>
      <Progress value={(done / req.tasks.length) * 100} mt="xs" aria-label="Tasks finished" />
      {[...bySource.entries()].map(([sid, tasks]) => {
        const finished = tasks.filter((t) => !ACTIVE_TASK.has(t.status)).length;
        const failed = tasks.filter((t) => t.status === 'FAILED');
        return (
          <Stack key={sid} gap={2} mt="sm" data-testid={`tasks-${sid}`}>
            <Text size="sm" fw={600}>
              {sourceName(sid)}: {finished}/{tasks.length} finished{failed.length ? `, ${failed.length} failed` : ''}
            </Text>
            <ScrollTable label={`Tasks of ${sourceName(sid)}`}>
              <Table fz="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Record</Table.Th>
                    <Table.Th scope="col">Action</Table.Th>
                    <Table.Th scope="col">State</Table.Th>
                    <Table.Th scope="col">Attempts</Table.Th>
                    <Table.Th scope="col">Outcome or error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {tasks.map((t) => (
                    <Table.Tr key={t.id} data-testid="task-row" data-status={t.status}>
                      <Table.Td>
                        <Code>{t.recordId}</Code>
                      </Table.Td>
                      <Table.Td>{t.action}</Table.Td>
                      <Table.Td>
                        <Badge size="sm" color={t.status === 'FAILED' ? 'red' : t.status === 'SUCCEEDED' ? 'green' : 'blue'}>
                          {humanise(t.status)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{t.attempts}</Table.Td>
                      <Table.Td>{t.lastError ?? t.outcome ?? '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          </Stack>
        );
      })}
    </Card>
  );
}

function Response({ req }: { req: Req }) {
  const r = req.response!;
  const totals = (r.totals ?? {}) as Record<string, number>;
  return (
    <Card withBorder data-testid="response">
      <Title order={3} size="h4">
        Response to the person
      </Title>
      <Text size="sm">
        {r.complete ? 'Complete' : 'Partial'}, answered {formatDate(r.respondedAt, true)}
        {r.late ? ' (late)' : ''}.{' '}
        {Object.entries(totals)
          .map(([k, v]) => `${humanise(k)}: ${v}`)
          .join(' · ')}
      </Text>
      <ScrollTable label="Response per source">
        <Table fz="sm" mt="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Source</Table.Th>
              <Table.Th scope="col">Released</Table.Th>
              <Table.Th scope="col">Corrected</Table.Th>
              <Table.Th scope="col">Erased</Table.Th>
              <Table.Th scope="col">Restricted</Table.Th>
              <Table.Th scope="col">Retained (basis, until)</Table.Th>
              <Table.Th scope="col">Not held (nothing to correct or restrict)</Table.Th>
              <Table.Th scope="col">Not done</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.sources.map((s) => (
              <Table.Tr key={s.sourceId}>
                <Table.Td>{s.sourceName}</Table.Td>
                <Table.Td>{s.released.length}</Table.Td>
                <Table.Td>{s.corrected.length}</Table.Td>
                <Table.Td>{s.erased.length}</Table.Td>
                <Table.Td>{s.restricted.length}</Table.Td>
                <Table.Td>
                  {s.retained
                    .map((i) => `${i.recordType ?? i.recordId}: ${i.basis ?? i.reason ?? ''}${i.retainUntil ? ` until ${formatDate(i.retainUntil)}` : ''}`)
                    .join('; ') || '0'}
                </Table.Td>
                <Table.Td>{s.notHeld.length}</Table.Td>
                <Table.Td>{s.notDone.length}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
      <Title order={4} size="h5" mt="sm">
        Letter
      </Title>
      <Text component="pre" size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="letter">
        {r.letter}
      </Text>
    </Card>
  );
}

/** Status changes and audit entries about the request, oldest first: who, when, what, why. */
function Timeline({ req }: { req: Req }) {
  return (
    <Card withBorder>
      <Title order={3} size="h4">
        Timeline
      </Title>
      <Text size="sm" c="dimmed">
        Status changes with their reasons, and the audit log’s entries about this request.
      </Text>
      <ScrollTable label="Timeline">
        <Table fz="sm" mt="xs" data-testid="timeline">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">When</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col">Actor</Table.Th>
              <Table.Th scope="col">Reason or outcome</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {req.timeline.map((e, i) => (
              <Table.Tr key={i} data-testid="timeline-entry" data-kind={e.kind}>
                <Table.Td>{formatDate(e.at, true)}</Table.Td>
                <Table.Td>{e.kind === 'TRANSITION' ? 'Status change' : `Audit #${e.auditSeq}`}</Table.Td>
                <Table.Td>
                  {e.kind === 'TRANSITION' ? <RequestEventName event={e.what} from={e.from} to={e.to} /> : <AuditActionName action={e.what} />}
                </Table.Td>
                <Table.Td>
                  <Code>{e.actor}</Code>
                  {e.actorKind ? ` ${e.actorKind}` : ''}
                </Table.Td>
                <Table.Td>{e.kind === 'TRANSITION' ? (e.reason ?? '—') : humanise(e.outcome ?? '')}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollTable>
    </Card>
  );
}
