// The lead workflow's side effects. Each one is idempotent, so Temporal may retry it freely.
import type { Pool } from 'pg';
import { resolveLeadConfig, UnknownCatalogEntryError } from '../src/catalog/store';
import type { LeadCommand, LeadConfig, Transition } from '../src/domain/lead-state';
import { activityInput, catalogVersionsInput, escalateSlaInput, notifyOwnerInput, chooseOwnerInput, recordTransitionInput, remindOwnerInput, sendNurtureEmailInput } from '../src/schemas/activities';
import { appendToBody, escapeHtml, pixelTag, textToHtml } from '../src/mail/html';
import { markLink, stripMarks } from '../src/mail/link-marks';
import { renderMarkedTextOrLegacy, renderTemplateOrLegacy, type TemplateLinks } from '../src/mail/templates';
import { clickLink, isTrackableUrl, openPixelUrl, unsubscribeUrl, type TrackingLinks } from '../src/mail/tokens';
import { storeTrackedUrls } from '../src/mail/tracked-urls';
import { renderRepNotice, type NoticeLinks, type RepNotice } from '../src/mail/rep-notice';
import { noticeContext, recordedAssignment } from '../src/mail/rep-notice-context';
import { leadLinkUrl, queueLinkUrl } from '../src/workspace/links';
import type { Assignment } from '../src/workspace/link-tokens';
import type { MailTransport } from '../src/mail/transport';
import { heartbeating } from './context';
import { deliverOnce, type DeliveryStatus } from './email';
import { loadContact, recordTransitionRow, type LeadSnapshot } from '../src/leads/store';

export type { LeadSnapshot } from '../src/leads/store';
import type { CatalogVersions } from '../workflows/messages';
import { chooseOwner, type OwnerChoice } from '../src/routing/choose-owner';
import type { WebhookSettings } from '../src/webhooks/settings';
import { createWebhookActivities, queueTransitionWebhooks } from './webhooks';

export interface ActivityDeps {
  pool: Pool;
  transport: MailTransport;
  mailFrom: string;
  /** Base URL of the API, for links to a lead in owner emails. */
  publicBaseUrl?: string;
  /** With publicBaseUrl: nurture emails get signed unsubscribe (List-Unsubscribe, footer) and click-tracking links. */
  trackingSecret?: string;
  /** Lifetime of click links (TRACKING_LINK_TTL), default one year. */
  trackingLinkTtlMs?: number;
  /** With publicBaseUrl: rep emails link to the lead page and the rep's queue (APP_LINK_SECRET signs them). */
  appLinkSecret?: string;
  /** Webhook targets and retries (WEBHOOK_*); DEFAULT_WEBHOOK_SETTINGS when omitted. */
  webhooks?: WebhookSettings;
}

type CommandArgs<T extends LeadCommand['type']> = Omit<Extract<LeadCommand, { type: T }>, 'type'> & { leadId: string };

/** What an activity records: the transition, and the lead row's mirror of the state after it. (A stored transition read back is TransitionRecord in src/schemas/transition.ts.) */
export interface TransitionToRecord {
  transition: Transition;
  snapshot: LeadSnapshot;
}


export type NurtureEmailResult = { status: DeliveryStatus | 'skipped'; reason?: string };

export function createActivities(deps: ActivityDeps) {
  const mailer = { pool: deps.pool, transport: deps.transport, from: deps.mailFrom };
  const links: TrackingLinks | null =
    deps.publicBaseUrl && deps.trackingSecret
      ? { baseUrl: deps.publicBaseUrl.replace(/\/+$/, ''), secret: deps.trackingSecret, ...(deps.trackingLinkTtlMs ? { clickTtlMs: deps.trackingLinkTtlMs } : {}) }
      : null;
  const baseUrl = deps.publicBaseUrl?.replace(/\/+$/, '');
  const signing = baseUrl && deps.appLinkSecret ? { baseUrl, secret: deps.appLinkSecret } : null;
  /** The owner's links: their lead page (this assignment) and their queue; none without PUBLIC_BASE_URL and APP_LINK_SECRET. */
  const repLinks = (leadId: string, rep: string, assignment: Assignment | null): NoticeLinks =>
    signing ? { ...(assignment ? { lead: leadLinkUrl(signing, leadId, rep, assignment) } : {}), queue: queueLinkUrl(signing, rep) } : {};
  /** One email to a sales person about a lead, in their language and zone (src/mail/rep-notice.ts). */
  const repNotice = async (leadId: string, to: string, teamZone: string | undefined, notice: (config: LeadConfig | null) => RepNotice, links: NoticeLinks) => {
    const context = await noticeContext(deps.pool, leadId, to, teamZone);
    return renderRepNotice(notice(context.config), context.lead, context.reader, links);
  };

  /** A configuration from the catalog (the newest, or pinned versions); null when it is not there. */
  const catalogConfig = async (campaignId: string, pinned?: Parameters<typeof resolveLeadConfig>[2]): Promise<LeadConfig | null> => {
    try {
      return await resolveLeadConfig(deps.pool, campaignId, pinned);
    } catch (err) {
      if (err instanceof UnknownCatalogEntryError) return null;
      throw err;
    }
  };

  /** Every recorded transition also queues its webhooks (src/webhooks), right after the row. */
  const record = async (leadId: string, { transition, snapshot }: TransitionToRecord): Promise<void> => {
    await recordTransitionRow(deps.pool, leadId, transition, snapshot);
    await queueTransitionWebhooks(deps.pool, leadId, transition, snapshot);
  };

  const activities = {
    async sendNurtureEmail(input: CommandArgs<'sendNurtureEmail'>): Promise<NurtureEmailResult> {
      const args = activityInput('sendNurtureEmail', sendNurtureEmailInput, input);
      const contact = await loadContact(deps.pool, args.leadId);
      if (!contact) return { status: 'skipped', reason: 'lead not found (erased?)' };
      if (contact.unsubscribed) return { status: 'skipped', reason: 'unsubscribed' };
      if (contact.bounced) return { status: 'skipped', reason: 'address bounced before' };
      const fields = { name: contact.name ?? '', company: contact.company ?? '', title: contact.title ?? '', email: contact.email, attributes: contact.attributes };
      const key = `nurture:${args.leadId}:${args.campaignId}:${args.step.id}:${args.cycle}`;
      const unsubscribe = links ? unsubscribeUrl(links, args.leadId) : null;
      // Only links the template wrote reach `track` (src/mail/templates.ts); links to our own API
      // (unsubscribe, already tracked) are never wrapped again. Long URLs are stored before sending.
      const stored: { hash: string; url: string }[] = [];
      const track = (url: string): string => {
        if (!links || !isTrackableUrl(url) || url.startsWith(`${links.baseUrl}/`)) return url;
        const click = clickLink(links, args.leadId, key, url);
        if (click.stored) stored.push(click.stored);
        return click.link;
      };
      const helpers: TemplateLinks = { unsubscribeUrl: unsubscribe, track };
      let marked = renderMarkedTextOrLegacy(args.step.body, fields, helpers);
      let headers: Record<string, string> | undefined;
      let pixel: string | undefined;
      if (links && unsubscribe) {
        // The unsubscribe link in the footer and in List-Unsubscribe; RFC 8058 one-click only over https.
        marked = `${marked}\n\n--\nUnsubscribe: ${markLink(unsubscribe)}\n`;
        headers = { 'List-Unsubscribe': `<${unsubscribe}>` };
        if (unsubscribe.startsWith('https://')) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
        pixel = openPixelUrl(links, args.leadId, key);
      }
      const text = stripMarks(marked);
      let html: string;
      if (args.step.html) {
        // The step's own HTML: fields escaped and its own hrefs tracked by the template engine, pixel and footer added.
        html = renderTemplateOrLegacy(args.step.html, fields, 'html', helpers);
        if (links && unsubscribe) {
          html = appendToBody(html, `<p style="font-size:small"><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>\n${pixel ? pixelTag(pixel) : ''}`);
        }
      } else {
        html = textToHtml(marked, pixel);
      }
      await storeTrackedUrls(deps.pool, stored);
      const status = await deliverOnce(mailer, {
        key,
        leadId: args.leadId,
        kind: 'nurture',
        to: contact.email,
        // A subject's URLs are not links: nothing in it is tracked.
        subject: renderTemplateOrLegacy(args.step.subject, fields, 'text'),
        text,
        html,
        ...(headers ? { headers } : {}),
      });
      return { status };
    },

    /**
     * With `record`, also records the handoff's transition, before the email: the record is one
     * statement, and SMTP trouble (the email's retries) must not keep the MQL out of PostgreSQL.
     * Both halves are idempotent, so a retry repeats the record as a no-op and sends at most once.
     */
    async notifyOwner(input: CommandArgs<'notifyOwner'> & { record?: TransitionToRecord }): Promise<DeliveryStatus> {
      activityInput('notifyOwner', notifyOwnerInput, input);
      const args = input;
      if (input.record) await record(args.leadId, input.record);
      // The assignment this email belongs to: the transition that gave the owner the lead (older runs' commands lack it).
      const assignment = args.transitionSeq !== undefined ? { cycle: args.cycle, seq: args.transitionSeq } : await recordedAssignment(deps.pool, args.leadId);
      const mail = await repNotice(
        args.leadId,
        args.owner,
        args.timeZone,
        (config) => ({ kind: args.reason, score: args.score, model: config?.model ?? null, deadline: args.slaDeadline, sla: config?.policy.sla ?? null }),
        repLinks(args.leadId, args.owner, assignment),
      );
      return deliverOnce(mailer, {
        key: `owner:${args.leadId}:${args.cycle}:${args.assignment}`,
        leadId: args.leadId,
        kind: 'owner',
        to: args.owner,
        ...mail,
      });
    },

    /** One reminder when the owner's next contact attempt is overdue (the lead was not reached yet). */
    async remindOwner(input: CommandArgs<'remindOwner'>): Promise<DeliveryStatus> {
      const args = activityInput('remindOwner', remindOwnerInput, input);
      const mail = await repNotice(
        args.leadId,
        args.owner,
        args.timeZone,
        () => ({ kind: 'reminder', attempts: args.attempts, maxAttempts: args.maxAttempts, dueAt: args.dueAt }),
        repLinks(args.leadId, args.owner, await recordedAssignment(deps.pool, args.leadId)),
      );
      return deliverOnce(mailer, {
        key: `attempt:${args.leadId}:${args.cycle}:${args.attempts}`,
        leadId: args.leadId,
        kind: 'owner',
        to: args.owner,
        ...mail,
      });
    },

    /**
     * With `record`, also records the breach's transition, after the email: at a deadline only the
     * escalation is urgent, and one activity (and one workflow task for its completion) fewer per
     * breach is what a burst of deadlines needs. Both halves are idempotent, so a retry repeats at
     * most the record.
     */
    async escalateSla(input: CommandArgs<'escalateSla'> & { record?: TransitionToRecord }): Promise<DeliveryStatus> {
      const args = activityInput('escalateSla', escalateSlaInput, input);
      // A manager gets the SLA board, not a rep's signed links (those act as the rep).
      const mail = await repNotice(
        args.leadId,
        args.manager,
        undefined,
        () => ({ kind: 'escalation', missedBy: args.missedBy, breach: args.breach, deadline: args.deadline, outcome: args.outcome, nextOwner: args.nextOwner }),
        baseUrl ? { board: `${baseUrl}/dashboard` } : {},
      );
      const status = await deliverOnce(mailer, {
        key: `sla:${args.leadId}:${args.cycle}:${args.breach}`,
        leadId: args.leadId,
        kind: 'escalation',
        to: args.manager,
        ...mail,
      });
      if (input.record) await record(args.leadId, input.record);
      return status;
    },

    /**
     * Routing: the next available owner of the first pool that has one (round-robin per campaign and
     * pool, in PostgreSQL); the excluded owner only when nobody else can; else the manager. A retry
     * answers what the first attempt chose (the pick is stored under its key).
     */
    async chooseOwner(input: CommandArgs<'chooseOwner'> & { record?: TransitionToRecord }): Promise<OwnerChoice> {
      const args = activityInput('chooseOwner', chooseOwnerInput, input);
      // The MQL first. Its webhook (lead.mql) goes with the assignment that follows, which names the
      // owner: nothing here delays the answer that arms the SLA timer.
      if (input.record) await recordTransitionRow(deps.pool, args.leadId, input.record.transition, input.record.snapshot);
      return chooseOwner(deps.pool, args);
    },

    /** The newest versions a lead of `campaignId` would enrol with now; null when the campaign is not in the catalog. */
    async resolveCatalog(input: { campaignId: string }): Promise<LeadConfig | null> {
      return catalogConfig(input.campaignId);
    },

    /** The configuration of named catalog versions (a migrateTo signal names them, it does not carry them). */
    async loadCatalogVersions(input: CatalogVersions): Promise<LeadConfig | null> {
      const v = activityInput('loadCatalogVersions', catalogVersionsInput, input);
      return catalogConfig(v.campaign.id, {
        campaignVersion: v.campaign.version,
        modelId: v.model.id,
        modelVersion: v.model.version,
        shadowModelId: v.shadowModel?.id ?? null,
        shadowModelVersion: v.shadowModel?.version ?? null,
      });
    },

    async recordTransition(input: { leadId: string } & TransitionToRecord): Promise<void> {
      activityInput('recordTransition', recordTransitionInput, input);
      await record(input.leadId, input);
    },

  };
  // Email activities heartbeat while they run: a worker killed mid-send is noticed within the
  // heartbeat timeout (workflows/lead.ts), not after the one-minute start-to-close timeout.
  return {
    ...activities,
    ...createWebhookActivities(deps),
    sendNurtureEmail: (input: Parameters<typeof activities.sendNurtureEmail>[0]) => heartbeating(() => activities.sendNurtureEmail(input)),
    notifyOwner: (input: Parameters<typeof activities.notifyOwner>[0]) => heartbeating(() => activities.notifyOwner(input)),
    escalateSla: (input: Parameters<typeof activities.escalateSla>[0]) => heartbeating(() => activities.escalateSla(input)),
    remindOwner: (input: Parameters<typeof activities.remindOwner>[0]) => heartbeating(() => activities.remindOwner(input)),
  };
}

export type LeadActivities = ReturnType<typeof createActivities>;
