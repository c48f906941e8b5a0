// The shipped defaults (documented in docs/lifecycle.md). Every number here can be overridden per campaign/model.
import type { Campaign, HandoffPolicy, ScoringModel } from './types';

export const DEFAULT_POLICY: HandoffPolicy = {
  sla: '24h',
  maxReassignments: 2,
  qualificationWindow: '14d',
  recyclePeriod: '30d',
  bantRequired: 3,
  owners: ['sales@example.com'],
  manager: 'sales-manager@example.com',
};

/** Point values and threshold after the typical rules in the domain brief: 70 points plus one high-intent action. */
export const DEFAULT_MODEL: ScoringModel = {
  id: 'default',
  version: 1,
  fit: [
    { id: 'decision-maker', attribute: 'title', pattern: '\\b(ceo|cto|cfo|coo|cio|vp|vice president|director|head of|founder|owner)\\b|部長|取締役|社長|本部長', points: 20 },
    { id: 'company-size-mid', attribute: 'employees', gte: 50, points: 10 },
    { id: 'company-size-large', attribute: 'employees', gte: 500, points: 10 },
    { id: 'tiny-company', attribute: 'employees', lte: 5, points: -10 },
    { id: 'uses-competitor', attribute: 'usesCompetitor', equals: true, points: 15 },
    { id: 'student', attribute: 'title', pattern: '\\bstudent\\b|学生', points: -30 },
    {
      id: 'free-mail',
      attribute: 'emailDomain',
      oneOf: ['gmail.com', 'yahoo.com', 'yahoo.co.jp', 'hotmail.com', 'outlook.com', 'icloud.com', 'docomo.ne.jp', 'ezweb.ne.jp'],
      points: -20,
    },
  ],
  behavior: [
    { id: 'email-open', event: 'email_open', points: 2, maxPoints: 10 },
    { id: 'email-click', event: 'email_click', points: 5, maxPoints: 20 },
    { id: 'pricing-page', event: 'page_view', where: { page: 'pricing' }, points: 15, maxPoints: 45 },
    { id: 'case-study', event: 'page_view', where: { page: 'case-study' }, points: 5, maxPoints: 15 },
    { id: 'content-download', event: 'content_download', points: 20, maxPoints: 40 },
    { id: 'webinar-registered', event: 'webinar_registered', points: 5 , maxPoints: 10},
    { id: 'webinar-attended', event: 'webinar_attended', points: 10, maxPoints: 20 },
    { id: 'form-submit', event: 'form_submit', points: 10, maxPoints: 20 },
    { id: 'demo-request', event: 'demo_request', points: 40 },
  ],
  behaviorWindow: '90d',
  mql: { threshold: 70, requireAnyOf: ['pricing-page', 'demo-request'] },
};

export const DEFAULT_CAMPAIGN: Campaign = {
  id: 'default',
  version: 1,
  name: 'Default nurture',
  steps: [
    { id: 'welcome', delay: '0s', subject: 'Welcome, {{name}}', body: 'Hello {{name}},\n\nThank you for your interest in our product.' },
    { id: 'case-study', delay: '3d', subject: 'How teams like yours work with us', body: 'Hello {{name}},\n\nHere is a case study from a customer like you.' },
    { id: 'pricing', delay: '7d', subject: 'Plans and pricing', body: 'Hello {{name}},\n\nWhen you are ready, our plans are on the pricing page.' },
  ],
};
