import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

/** What the lead use cases need: PostgreSQL for the record, Temporal for the lead's workflow. */
export interface IntakeDeps {
  pool: Pool;
  client: Client;
  taskQueue: string;
  /** False against a Temporal server without the project's search attributes. */
  searchAttributes: boolean;
}
