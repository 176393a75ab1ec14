import type { ReactNode } from 'react';
import { Box } from '@mantine/core';

/**
 * A wide table scrolls sideways inside its own box, so the page never does (200 % zoom
 * on a 1280×720 laptop leaves a 640 px wide window). Focusable, so the keyboard can
 * scroll it too; named, as a region.
 */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto', maxWidth: '100%' }}>
      {children}
    </Box>
  );
}
