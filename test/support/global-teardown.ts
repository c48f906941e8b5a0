import { rmSync } from 'node:fs';
import type { GlobalHandles } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const handles = (globalThis as { __leadloop?: GlobalHandles }).__leadloop;
  if (!handles) return;
  await handles.env.teardown().catch((err: Error) => console.error('[test] stopping Temporal:', err.message));
  await handles.stopPostgres?.().catch((err: Error) => console.error('[test] stopping PostgreSQL:', err.message));
  rmSync(handles.runDir, { recursive: true, force: true });
}
