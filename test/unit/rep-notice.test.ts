// The emails to reps and managers: who, why in words, by when in the reader's zone and language,
// links; hostile lead fields never become markup, links or extra header lines.
import { renderRepNotice, type RepNotice } from '../../src/mail/rep-notice';
import { headerSafe, unlinkable } from '../../src/mail/unlinkable';
import type { ScoringModel } from '../../src/domain/types';

const model: ScoringModel = {
  id: 'm',
  version: 1,
  fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director|部長', points: 20 }],
  behavior: [
    { id: 'email-open', event: 'email_open', points: 5, maxPoints: 15 },
    { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
    { id: 'demo', event: 'demo_request', points: 40 },
  ],
  behaviorWindow: '90d',
  mql: { threshold: 70 },
};
// Mon 7 Dec 2026 07:00 UTC = 16:00 in Tokyo.
const deadline = Date.UTC(2026, 11, 7, 7, 0);
const handoff: RepNotice = {
  kind: 'handoff',
  deadline,
  sla: '8bh',
  model,
  score: {
    total: 100,
    fit: 20,
    behavior: 80,
    breakdown: [
      { kind: 'fit', ruleId: 'decision-maker', points: 20, attribute: 'title', value: 'Director' },
      { kind: 'behavior', ruleId: 'pricing', points: 30, eventType: 'page_view' },
      { kind: 'behavior', ruleId: 'email-open', points: 5, eventType: 'email_open' },
      { kind: 'behavior', ruleId: 'email-open', points: 5, eventType: 'email_open' },
      { kind: 'behavior', ruleId: 'demo', points: 40, eventType: 'demo_request' },
    ],
  },
};
const links = { lead: 'https://leads.example.test/app/leads/abc.def', queue: 'https://leads.example.test/app/queue/ghi.jkl' };
const plain = { name: 'Taro Yamada', company: 'Acme', title: 'Director' };
const hostile = { name: '<script>alert(1)</script> http://evil.example', company: 'Evil\r\nBcc: victim@example.com www.evil.example', title: '"><img src=x onerror=alert(1)>' };

describe('rep emails', () => {
  it('tells an English-speaking owner who, why in words and by when in their zone, with links', () => {
    const mail = renderRepNotice(handoff, plain, { lang: 'en', timeZone: 'Asia/Tokyo' }, links);
    expect(mail.subject).toBe('New MQL for you (score 100): Acme');
    expect(mail.text).toContain('Name: Taro Yamada');
    expect(mail.text).toContain('Company: Acme');
    expect(mail.text).toContain('Title: Director');
    expect(mail.text).toContain('Requested a demo (+40)');
    expect(mail.text).toContain('Visited the pricing page (+30)');
    expect(mail.text).toContain('Opened a nurture email ×2 (+10)');
    expect(mail.text).toContain('Title fits the profile (Director) (+20)');
    expect(mail.text).toContain('First contact within 8 business hours: by Mon 7 Dec 16:00 JST');
    expect(mail.text).not.toMatch(/decision-maker|email-open|MQL threshold/);
    expect(mail.text).toContain(`: ${links.lead}`);
    expect(mail.text).toContain(`: ${links.queue}`);
    expect(mail.html).toContain(`<a href="${links.lead}">`);
    expect(mail.html).toContain('<html lang="en">');
  });

  it('writes Japanese for a ja reader, in their zone', () => {
    const mail = renderRepNotice(handoff, { name: '山田 太郎', company: '株式会社テスト', title: '部長' }, { lang: 'ja', timeZone: 'Asia/Tokyo' }, links);
    expect(mail.subject).toBe('新しい MQL の担当になりました(スコア 100): 株式会社テスト');
    expect(mail.text).toContain('氏名: 山田 太郎');
    expect(mail.text).toContain('デモを依頼 (+40)');
    expect(mail.text).toContain('pricing ページを閲覧 (+30)');
    expect(mail.text).toContain('初回コンタクトは8営業時間以内: 12月7日(月) 16:00 JSTまで');
    expect(mail.html).toContain('<html lang="ja">');
  });

  it('falls back to UTC without a zone', () => {
    const mail = renderRepNotice(handoff, plain, { lang: 'en', timeZone: null }, {});
    expect(mail.text).toContain('by Mon 7 Dec 07:00 UTC');
    expect(mail.text).not.toContain('Links:');
  });

  it('never lets a hostile lead field become markup, a link or a header line', () => {
    for (const lang of ['en', 'ja'] as const) {
      const mail = renderRepNotice(handoff, hostile, { lang, timeZone: 'Europe/Berlin' }, links);
      // The subject carries the company on one bounded line, defanged.
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.subject).not.toContain('www.evil');
      expect([...mail.subject].length).toBeLessThan(130);
      for (const part of [mail.text, mail.html]) {
        expect(part).not.toContain('http://evil');
        expect(part).not.toContain('evil.example');
        expect(part).not.toContain('www.evil');
        expect(part).not.toContain('victim@example');
        expect(part).not.toContain('Bcc: victim');
      }
      expect(mail.html).not.toContain('<script');
      expect(mail.html).not.toContain('<img');
      expect(mail.html).toContain('&lt;script&gt;');
      // Our own two links are the only links.
      expect(mail.html.match(/<a /g)).toHaveLength(2);
      expect(mail.text.match(/https?:\/\//g)).toHaveLength(2);
    }
  });

  it('words the reminder and the escalation, in the reader language', () => {
    const reminder = renderRepNotice({ kind: 'reminder', attempts: 1, maxAttempts: 3, dueAt: deadline }, plain, { lang: 'en', timeZone: 'Asia/Tokyo' }, links);
    expect(reminder.subject).toBe('Reminder: next contact attempt due (1 of 3 logged): Acme');
    expect(reminder.text).toContain('the next one was due Mon 7 Dec 16:00 JST');
    const escalation = renderRepNotice(
      { kind: 'escalation', missedBy: 'rep@sales.test', breach: 1, deadline, outcome: 'reassigned', nextOwner: 'next@sales.test' },
      plain,
      { lang: 'ja', timeZone: 'Asia/Tokyo' },
      { board: 'https://leads.example.test/dashboard' },
    );
    expect(escalation.subject).toBe('SLA 超過: rep@sales.test の初回コンタクト期限 12月7日(月) 16:00 JST: Acme');
    expect(escalation.text).toContain('next@sales.test に再割り当てされました。');
    expect(escalation.text).toContain('SLA ボード: https://leads.example.test/dashboard');
  });

  it('defangs text and bounds a header value', () => {
    expect(unlinkable('see http://a.b/c or x@y.z')).not.toMatch(/https?:\/\/|\.|@/);
    expect(headerSafe('a\r\nb\tc')).toBe('a b c');
    expect([...headerSafe('x'.repeat(500))]).toHaveLength(60);
  });
});
