// The page a download link opens. The link carries its token in the fragment
// (`/v1/access-packages/open#<token>`), which browsers never send to a server: proxies,
// server logs and mail scanners that fetch the link see a page and nothing else. The page
// holds no personal data and consumes nothing; the person presses the button, and its
// script sends the token in a POST body to /v1/access-packages/download and saves the
// archive. Links issued before (token in the path) open the same page, whose script then
// takes the token from the path. Either way the token leaves the address bar and history.
// Scripts from this origin only, never inline; nothing else loads.

export const PAGE_SCRIPT_NAME = 'open.js';

export const PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Relative addresses: right under the canonical path and under the legacy /<token> one,
// and behind a proxy that mounts the gateway under a prefix.
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Your copy of your personal data</title>
<script src="${PAGE_SCRIPT_NAME}" defer></script>
</head>
<body>
<main>
<h1>Your copy of your personal data</h1>
<p>This link lets you download your copy once. Opening this page does not use the link up:
the download starts only when you press the button.</p>
<p><button type="button" id="download" disabled>Download my copy</button></p>
<p id="status" role="status" aria-live="polite"></p>
<noscript><p>This page needs JavaScript to download your copy. Enable it, or ask the privacy office for another way to receive it.</p></noscript>
</main>
</body>
</html>
`;

export const PAGE_SCRIPT = `'use strict';
(function () {
  var MESSAGES = {
    PACKAGE_LINK_USED: 'This link was already used. Ask the privacy office for a new one.',
    PACKAGE_LINK_EXPIRED: 'This link has expired. Ask the privacy office for a new one.',
    PACKAGE_DESTROYED: 'This copy no longer exists. You may ask the privacy office for a new copy.',
    PACKAGE_NOT_FOUND: 'This link is not valid. Check that you opened the whole link from your letter.',
    SPECIAL_CATEGORY_REQUIRED: 'This link cannot be used. Ask the privacy office for a new one.',
    RATE_LIMITED: 'Too many attempts from your network. Wait a few minutes, then try again.'
  };
  var button = document.getElementById('download');
  var status = document.getElementById('status');
  var token = location.hash.replace(/^#/, '');
  if (!token) {
    var legacy = /\\/([A-Za-z0-9_-]{20,100})$/.exec(location.pathname);
    token = legacy ? legacy[1] : '';
  }
  // Out of the address bar, the history and any bookmark: the token stays in this page only.
  history.replaceState(null, '', 'open');
  if (!token) {
    status.textContent = 'This link is incomplete. Open the whole link from your letter.';
    return;
  }
  button.disabled = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    status.textContent = 'Preparing your download…';
    fetch('download', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token }),
      credentials: 'omit',
      cache: 'no-store'
    })
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(
            function (body) { throw new Error((body && body.error && body.error.code) || 'FAILED'); },
            function () { throw new Error('FAILED'); }
          );
        }
        var disposition = res.headers.get('content-disposition') || '';
        var name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || 'access-package.zip';
        var digest = res.headers.get('x-content-sha256') || '';
        return res.blob().then(function (blob) { return { blob: blob, name: name, digest: digest }; });
      })
      .then(function (file) {
        var url = URL.createObjectURL(file.blob);
        var a = document.createElement('a');
        a.href = url;
        a.download = file.name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
        token = '';
        status.textContent = 'Your copy was downloaded as ' + file.name + '. SHA-256 fingerprint: ' + file.digest + '. The link is now used up.';
      })
      .catch(function (error) {
        var message = MESSAGES[error && error.message];
        status.textContent = message || 'The download failed. Try again in a moment.';
        if (!message) button.disabled = false;
      });
  });
})();
`;
