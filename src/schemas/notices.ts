// The API's shape of an undelivered owner or escalation email (src/leads/undelivered.ts).
import { z } from 'zod';

export const undeliveredNoticeSchema = z.object({
  kind: z.enum(['owner', 'escalation']),
  status: z
    .enum(['failed', 'bounced', 'unknown'])
    .describe('failed: retries ran out (SMTP trouble on our side or the relay); bounced: the address refused it for good; unknown: the connection died before the server answered (it may have arrived; never resent)'),
  at: z.string().describe('when the last attempt failed'),
  error: z.string().nullable().describe('the SMTP error, addresses replaced by <address>'),
});

export type UndeliveredNotice = z.infer<typeof undeliveredNoticeSchema>;

