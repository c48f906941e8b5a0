// The only code that runs SQL on the users table (the user directory).
import type { Queryable } from '../leads/store/queryable';
import type { UserBody, UserRole } from '../schemas/user';
import type { OutOfOffice } from './out-of-office';

/** A row of users, as SELECT * gives it. */
export interface UserRow {
  email_normalized: string;
  email: string;
  name: string;
  role: UserRole;
  team: string | null;
  time_zone: string | null;
  locale: 'ja' | 'en';
  capacity: number | null;
  out_of_office: OutOfOffice[];
  created_at: Date;
  updated_at: Date;
}

/**
 * Stores the user as given (a PUT replaces every field: an absent one is cleared). An unchanged
 * body keeps updated_at, so a retried PUT changes nothing. `inserted`: the email was new.
 */
export async function upsertUser(db: Queryable, emailNormalized: string, email: string, user: UserBody): Promise<{ inserted: boolean }> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO users AS u (email_normalized, email, name, role, team, time_zone, locale, capacity, out_of_office)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (email_normalized) DO UPDATE SET
       email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role, team = EXCLUDED.team, time_zone = EXCLUDED.time_zone,
       locale = EXCLUDED.locale, capacity = EXCLUDED.capacity, out_of_office = EXCLUDED.out_of_office,
       updated_at = CASE WHEN (u.email, u.name, u.role, u.team, u.time_zone, u.locale, u.capacity, u.out_of_office)
                         IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.name, EXCLUDED.role, EXCLUDED.team, EXCLUDED.time_zone, EXCLUDED.locale, EXCLUDED.capacity, EXCLUDED.out_of_office)
                    THEN now() ELSE u.updated_at END
     RETURNING (xmax = 0) AS inserted`,
    [emailNormalized, email, user.name, user.role, user.team ?? null, user.timeZone ?? null, user.locale, user.capacity ?? null, JSON.stringify(user.outOfOffice ?? [])],
  );
  return rows[0]!;
}

export async function findUser(db: Queryable, emailNormalized: string): Promise<UserRow | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE email_normalized = $1', [emailNormalized]);
  return rows[0] ?? null;
}

export interface UserListFilter {
  role?: UserRole;
  team?: string;
  /** Only users after this normalized email, in the list's order. */
  after?: string;
  limit: number;
}

/** By normalized email (the primary key's order, so a cursor is just the last email). */
export async function listUsers(db: Queryable, f: UserListFilter): Promise<UserRow[]> {
  const { rows } = await db.query<UserRow>(
    `SELECT * FROM users
      WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR lower(team) = lower($2)) AND ($3::text IS NULL OR email_normalized > $3)
      ORDER BY email_normalized LIMIT $4`,
    [f.role ?? null, f.team ?? null, f.after ?? null, f.limit],
  );
  return rows;
}

/** What routing needs of these users (normalized emails); users not in the directory are absent. */
export async function routingProfiles(db: Queryable, emailsNormalized: readonly string[]): Promise<Pick<UserRow, 'email_normalized' | 'capacity' | 'out_of_office' | 'time_zone'>[]> {
  if (emailsNormalized.length === 0) return [];
  const { rows } = await db.query<Pick<UserRow, 'email_normalized' | 'capacity' | 'out_of_office' | 'time_zone'>>(
    'SELECT email_normalized, capacity, out_of_office, time_zone FROM users WHERE email_normalized = ANY ($1::text[])',
    [emailsNormalized],
  );
  return rows;
}

/** The directory's team of a user (normalized email): undefined when the user is not in it. */
export async function teamOf(db: Queryable, emailNormalized: string): Promise<string | null | undefined> {
  const { rows } = await db.query<{ team: string | null }>('SELECT team FROM users WHERE email_normalized = $1', [emailNormalized]);
  return rows.length === 0 ? undefined : rows[0]!.team;
}

/** Normalized emails of a team's members (case-insensitive team). */
export async function teamMembers(db: Queryable, team: string): Promise<string[]> {
  const { rows } = await db.query<{ email_normalized: string }>('SELECT email_normalized FROM users WHERE lower(team) = lower($1)', [team]);
  return rows.map((r) => r.email_normalized);
}
