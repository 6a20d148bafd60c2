import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { PROJECT_ROOT } from '../infra/project-root';
import { ApiError } from './problem';

/** Where infra/build-console.ts puts the built console: in the repository, from source and from dist/ alike. */
export const CONSOLE_DIR = path.join(PROJECT_ROOT, 'console', 'dist');

/**
 * The browser console at `/`, from the same origin as the API (DESIGN.md "The console"): static files built from
 * console/ at install and start. Each answer is revalidated, so a booth gets a new build at its next load.
 */
export function consoleFiles(): express.RequestHandler {
  if (!fs.existsSync(path.join(CONSOLE_DIR, 'index.html'))) {
    return (req, _res, next) =>
      req.method === 'GET' && req.path === '/'
        ? next(new ApiError(503, 'Service Unavailable', 'The console is not built: run npm install (or npm start), which builds it.'))
        : next();
  }
  return express.static(CONSOLE_DIR, { index: 'index.html', cacheControl: true, maxAge: 0, fallthrough: true });
}
