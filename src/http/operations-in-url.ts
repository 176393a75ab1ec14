// GraphQL over GET carries the operation and its variables (a person's e-mail, name, date
// of birth) in the query string, which proxies, load balancers and access logs keep. The
// gateway takes operations as POST bodies only: a GET with a query string is refused
// before anything in it is read, so no client can come to rely on it. A GET without one
// (the development landing page) goes on.
import type { RequestHandler } from 'express';

export function refuseOperationsInUrl(): RequestHandler {
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.originalUrl.includes('?')) return next();
    res.setHeader('allow', 'POST');
    res.status(400).json({
      errors: [{ message: 'Send GraphQL operations as a POST body: values in an address end up in logs', extensions: { code: 'BAD_REQUEST' } }],
    });
  };
}
