// A download link carries its token in the fragment (`…/v1/access-packages/open#<token>`).
// The console downloads as the link's page does: the token in a POST body, the archive
// saved from the answer. A GET of the link would only open that page.

export class PackageDownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Downloads the package once and saves it under the name the gateway gives. */
export async function saveAccessPackage(downloadUrl: string): Promise<void> {
  const token = downloadUrl.slice(downloadUrl.indexOf('#') + 1);
  const res = await fetch('/v1/access-packages/download', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new PackageDownloadError(body?.error?.code ?? 'UNKNOWN', body?.error?.message ?? `The download failed (HTTP ${res.status})`);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'access-package.zip';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
