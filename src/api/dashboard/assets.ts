// The dashboard's static files, read once from this directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

const cache = new Map<string, Buffer>();

export function dashboardAsset(name: string): { type: string; body: Buffer } {
  const type = DASHBOARD_ASSETS[name];
  if (!type) throw new Error(`no dashboard asset ${name}`);
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(join(__dirname, name));
    cache.set(name, body);
  }
  return { type, body };
}
