// A report the privacy office downloads (data map, request report): JSON or CSV, never cached,
// with a file name that says what and when.
import type express from 'express';

export type DownloadFormat = 'json' | 'csv';

export function sendDownload(res: express.Response, file: { name: string; format: DownloadFormat; csv: () => string; json: () => unknown }): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-disposition', `attachment; filename="${file.name}.${file.format}"`);
  if (file.format === 'csv') {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.send(file.csv());
    return;
  }
  res.json(file.json());
}
