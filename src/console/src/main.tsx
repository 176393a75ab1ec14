import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MantineProvider } from '@mantine/core';
import { BrowserRouter } from 'react-router';
import { App } from './App';

// The gateway puts a fresh nonce in this meta tag and in the CSP header of the page;
// Mantine puts it on the <style> elements it creates (no 'unsafe-inline' needed).
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* A fixed light scheme: nothing is kept in localStorage. */}
    <MantineProvider getStyleNonce={() => nonce} forceColorScheme="light">
      <BrowserRouter basename="/console">
        <App />
      </BrowserRouter>
    </MantineProvider>
  </StrictMode>,
);
