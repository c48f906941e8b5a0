import type { Pool, PoolClient } from 'pg';

/** A pool or a client inside a transaction: every store function takes one, so callers choose the transaction. */
export type Queryable = Pick<Pool | PoolClient, 'query'>;
