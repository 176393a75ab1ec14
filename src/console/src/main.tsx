import '@mantine/core/styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Badge, MantineProvider, PasswordInput, TagsInput, TextInput, Textarea, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { BrowserRouter } from 'react-router';
import { App } from './App';

// The gateway puts a fresh nonce in this meta tag and in the CSP header of the page;
// Mantine puts it on the <style> elements it creates (no 'unsafe-inline' needed).
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

// Darker shades than the defaults so text and buttons meet WCAG AA contrast (axe checks it).
const theme = createTheme({
  primaryShade: 8,
  autoContrast: true,
  luminanceThreshold: 0.4,
  // Badges as dark text beside a coloured dot: readable whatever the colour.
  components: {
    Badge: Badge.extend({ defaultProps: { variant: 'dot' } }),
    // A browser keeps what is typed into a sent form's fields in its profile (autofill
    // history); what a handler types is about a person (a corrected name, a reason), so no
    // field of the console may be remembered. A screen may still ask for it deliberately.
    TextInput: TextInput.extend({ defaultProps: { autoComplete: 'off' } }),
    Textarea: Textarea.extend({ defaultProps: { autoComplete: 'off' } }),
    TagsInput: TagsInput.extend({ defaultProps: { autoComplete: 'off' } }),
    PasswordInput: PasswordInput.extend({ defaultProps: { autoComplete: 'off' } }),
  },
});
const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
    // Text of light and subtle variants (alerts, nav links, buttons) dark enough on their
    // tinted background; the lighter hues (green, orange, yellow, ...) in near-black.
    '--mantine-primary-color-light-color': 'var(--mantine-color-blue-9)',
    ...Object.fromEntries(
      ['blue', 'red', 'grape', 'violet', 'pink', 'indigo', 'gray', 'dark'].map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-9)`]),
    ),
    ...Object.fromEntries(
      ['green', 'orange', 'yellow', 'teal', 'cyan', 'lime'].map((c) => [`--mantine-color-${c}-light-color`, 'var(--mantine-color-dark-7)']),
    ),
  },
  dark: {},
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* A fixed light scheme: nothing is kept in localStorage. */}
    <MantineProvider theme={theme} cssVariablesResolver={contrast} getStyleNonce={() => nonce} forceColorScheme="light">
      <BrowserRouter basename="/console">
        <App />
      </BrowserRouter>
    </MantineProvider>
  </StrictMode>,
);
