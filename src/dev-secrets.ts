// The keys, tracking secret and workspace link secret `npm run dev` uses when none are set: printed on every start and
// published in this repository, so `npm run api` and `npm run worker` refuse them (src/config-production.ts).
import type { ApiKey } from './config';

export const DEV_API_KEYS: readonly ApiKey[] = [
  { role: 'marketing', key: 'dev-marketing-key-0001' },
  { role: 'sales', key: 'dev-sales-key-00000001' },
  { role: 'ops', key: 'dev-ops-key-000000001' },
  { role: 'manager', key: 'dev-manager-key-00001' },
];
export const DEV_TRACKING_SECRET = 'dev-tracking-secret-for-local-use-only';
export const DEV_APP_LINK_SECRET = 'dev-app-link-secret-for-local-use-only';
