import { campaignBodySchema } from '../../src/catalog/schemas';
import { DEFAULT_CAMPAIGN } from '../../src/domain/defaults';
import { appendToBody, rewriteHrefs, textToHtml } from '../../src/mail/html';
import { stripMarks } from '../../src/mail/link-marks';
import { checkTemplate, renderMarkedTextOrLegacy, renderTemplate, renderTemplateOrLegacy, templateLinks } from '../../src/mail/templates';

const links = { unsubscribeUrl: 'https://api.test/u/tok', track: (url: string) => `https://api.test/t/c/${encodeURIComponent(url)}` };

describe('campaign templates (Handlebars)', () => {
  it('renders lead fields; missing fields render as nothing', () => {
    expect(renderTemplate('ようこそ、{{name}}さん ({{company}}){{missing}}', { name: '山田 太郎', company: '株式会社テスト' }, 'text')).toBe('ようこそ、山田 太郎さん (株式会社テスト)');
    expect(renderTemplate('{{#if title}}Dear {{title}}{{else}}Hello{{/if}}', { title: '' }, 'text')).toBe('Hello');
    expect(renderTemplate('{{attributes.industry}}', { attributes: { industry: 'SaaS' } }, 'text')).toBe('SaaS');
  });

  it('escapes values in HTML, never in plain text', () => {
    const fields = { name: 'Test <b>&</b> "x" \'y\'' };
    expect(renderTemplate('<p>Hi {{name}}</p>', fields, 'html')).toBe('<p>Hi Test &lt;b&gt;&amp;&lt;/b&gt; &quot;x&quot; &#x27;y&#x27;</p>');
    expect(renderTemplate('Hi {{name}}', fields, 'text')).toBe('Hi Test <b>&</b> "x" \'y\'');
    // Helper output is escaped like any value in HTML.
    expect(renderTemplate('<a href="{{unsubscribeUrl}}">stop</a>', {}, 'html', { ...links, unsubscribeUrl: 'https://x.test/u?a=1&b="2"' })).toBe('<a href="https://x.test/u?a&#x3D;1&amp;b&#x3D;&quot;2&quot;">stop</a>');
  });

  it('offers the unsubscribe and tracked-link helpers', () => {
    expect(renderTemplate('Stop: {{unsubscribeUrl}}', {}, 'text', links)).toBe('Stop: https://api.test/u/tok');
    expect(renderTemplate('{{track "https://example.com/a?b=1"}}', {}, 'text', links)).toBe(`https://api.test/t/c/${encodeURIComponent('https://example.com/a?b=1')}`);
    // Without tracking configured a link stays as written and the unsubscribe link is empty.
    expect(renderTemplate('{{track "https://example.com/"}}|{{unsubscribeUrl}}', {}, 'text')).toBe('https://example.com/|');
  });

  it('cannot reach prototype properties or methods of the data', () => {
    expect(renderTemplate('{{constructor}}{{__proto__}}{{name.constructor.name}}', { name: 'x' }, 'text')).toBe('');
    expect(renderTemplate('{{#with name}}{{constructor.constructor}}{{/with}}', { name: 'x' }, 'text')).toBe('');
  });

  it('names the position of a syntax error', () => {
    expect(checkTemplate('Welcome, {{name')).toEqual({ line: 1, column: 12, message: expect.stringContaining('template syntax error') });
    expect(checkTemplate('line one\n{{#if x}}open')).toMatchObject({ line: 2 });
    expect(checkTemplate('ok\n  {{/if}}')).toMatchObject({ line: 2, column: 3, message: expect.stringContaining('without a matching') });
    expect(checkTemplate('{{#each items}}x{{/with}}')).toMatchObject({ line: 1, message: expect.stringContaining("each doesn't match with") });
  });

  it('refuses unknown helpers, partials and decorators', () => {
    expect(checkTemplate('Hello {{shout name}}')).toMatchObject({ line: 1, column: 7, message: expect.stringContaining('unknown helper shout') });
    expect(checkTemplate('a {{> footer}}')).toMatchObject({ line: 1, column: 3, message: expect.stringContaining('partials') });
    expect(checkTemplate('{{* deco}}')).toMatchObject({ message: expect.stringContaining('decorators') });
    expect(checkTemplate('{{name}} {{track "https://x"}} {{#each attributes}}{{@key}}{{/each}}')).toBeNull();
  });

  it('still renders an old template Handlebars cannot parse with the old {{field}} substitution', () => {
    expect(renderTemplateOrLegacy('Hi {{name}}, 50% off {{', { name: 'A' }, 'text')).toBe('Hi A, 50% off {{');
  });

  it('keeps the shipped default campaign valid', () => {
    for (const step of DEFAULT_CAMPAIGN.steps) {
      expect(checkTemplate(step.subject)).toBeNull();
      expect(checkTemplate(step.body)).toBeNull();
    }
  });

  it('refuses a campaign with a broken template at save, naming the step and the position', () => {
    const parsed = campaignBodySchema.safeParse({
      name: 'c',
      steps: [
        { id: 'a', delay: '0s', subject: 'ok {{name}}', body: 'ok' },
        { id: 'b', delay: '1d', subject: 'fine', body: 'fine', html: '<p>{{#if x}}</p>' },
        { id: 'c', delay: '1d', subject: 'Hello {{name', body: 'ok' },
      ],
    });
    expect(parsed.success).toBe(false);
    const issues = parsed.error!.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    expect(issues).toEqual([
      { path: 'steps.1.html', message: expect.stringMatching(/line 1, column \d+$/) },
      { path: 'steps.2.subject', message: expect.stringMatching(/^template syntax error: .* at line 1, column 9$/) },
    ]);
  });
});

describe('only links that the template wrote are tracked', () => {
  const evil = 'Bob https://evil.example/login';
  const tracked: string[] = [];
  const spy = { unsubscribeUrl: 'https://api.test/u/tok', track: (url: string) => (tracked.push(url), `https://api.test/t/c/${encodeURIComponent(url)}`) };
  beforeEach(() => (tracked.length = 0));

  it('tracks the URLs of a text template, never a URL in a lead value, and links only the former in HTML', () => {
    const marked = renderMarkedTextOrLegacy('Hi {{name}} of {{company}}, see https://example.com/offer.\nStop: {{unsubscribeUrl}}', { name: evil, company: 'http://evil.example/x' }, spy);
    expect(tracked).toEqual(['https://example.com/offer']);
    const text = stripMarks(marked);
    expect(text).toBe(`Hi ${evil} of http://evil.example/x, see https://api.test/t/c/${encodeURIComponent('https://example.com/offer')}.\nStop: https://api.test/u/tok`);
    const html = textToHtml(marked);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([`https://api.test/t/c/${encodeURIComponent('https://example.com/offer')}`, 'https://api.test/u/tok']);
    expect(html).toContain('Bob https://evil.example/login of http://evil.example/x');
    // A lead value cannot forge the marks that make a link.
    expect(textToHtml(renderMarkedTextOrLegacy('Hi {{name}}', { name: '\uE000https://evil.example/\uE001' }, spy))).not.toContain('<a');
  });

  it('tracks the hrefs of an HTML template, never one built from a lead value', () => {
    const html = renderTemplate('<a href="https://example.com/a?x=1&amp;y=2">go</a> {{name}} <a href="{{attributes.site}}">site</a> <a href="https://example.com/{{company}}">c</a>', { name: evil, company: 'x', attributes: { site: 'https://evil.example/' } }, 'html', spy);
    expect(tracked).toEqual(['https://example.com/a?x=1&y=2']);
    expect(html).toContain(`href="https://api.test/t/c/${encodeURIComponent('https://example.com/a?x=1&y=2')}"`);
    expect(html).toContain('Bob https://evil.example/login');
    expect(html).toContain('href="https://evil.example/"');
  });

  it('does not track a template URL that a field completes, nor `track` given a field', () => {
    const text = renderTemplate('https://example.com/?ref={{company}} and https://example.com{{name}} and {{track name}}', { company: 'acme', name: '.evil.example/' }, 'text', spy);
    expect(tracked).toEqual([]);
    expect(text).toBe('https://example.com/?ref=acme and https://example.com.evil.example/ and .evil.example/');
  });

  it('keeps the rule for old templates rendered by the {{field}} fallback, escaping their values in HTML', () => {
    const text = stripMarks(renderMarkedTextOrLegacy('Hi {{name}}, see https://example.com/x {{', { name: evil }, spy));
    expect(tracked).toEqual(['https://example.com/x']);
    expect(text).toBe(`Hi ${evil}, see https://api.test/t/c/${encodeURIComponent('https://example.com/x')} {{`);
    expect(renderTemplateOrLegacy('<p>{{name}} {{', { name: '<b>x</b>' }, 'html')).toBe('<p>&lt;b&gt;x&lt;/b&gt; {{');
  });

  it('lists the links a template wrote (old tokens are honoured only for those)', () => {
    expect(templateLinks('See https://example.com/a, {{track "https://example.com/b"}} {{name}}', 'text')).toEqual(['https://example.com/a', 'https://example.com/b']);
    expect(templateLinks('<a href="https://example.com/c">https://example.com/d</a>', 'html')).toEqual(['https://example.com/c']);
    expect(templateLinks('old https://example.com/e {{', 'text')).toEqual(['https://example.com/e']);
  });
});

describe('authoring rules checked at save', () => {
  it('refuses the log helper', () => {
    expect(checkTemplate('Hi {{log name}}')).toMatchObject({ line: 1, column: 4, message: expect.stringContaining('log helper is not available') });
    expect(checkTemplate('{{#if x}}{{log "a" level="error"}}{{/if}}', 'html')).toMatchObject({ message: expect.stringContaining('log helper') });
    // A stored template that used it renders without logging anything.
    const info = jest.spyOn(console, 'info').mockImplementation(() => {});
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    expect(renderTemplate('Hi{{log name}}', { name: 'secret-name' }, 'text')).toBe('Hi');
    expect([...info.mock.calls, ...log.mock.calls]).toEqual([]);
    info.mockRestore();
    log.mockRestore();
  });

  it('refuses triple-stash and {{& }} in HTML, and escapes them in stored HTML templates', () => {
    expect(checkTemplate('<p>{{{name}}}</p>', 'html')).toMatchObject({ line: 1, column: 4, message: expect.stringContaining('unescaped output') });
    expect(checkTemplate('<p>{{&name}}</p>', 'html')).toMatchObject({ message: expect.stringContaining('unescaped output') });
    expect(checkTemplate('{{{name}}}', 'text')).toBeNull();
    expect(renderTemplate('<p>{{{name}}}{{&name}}</p>', { name: '<img src=x onerror=alert(1)>' }, 'html')).toBe('<p>&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;</p>');
  });

  it('refuses track given a field, and the internal helpers', () => {
    expect(checkTemplate('{{track attributes.site}}')).toMatchObject({ message: expect.stringContaining('track takes a URL written in quotes') });
    expect(checkTemplate('{{__templateLink "https://evil.example/"}}')).toMatchObject({ message: expect.stringContaining('unknown helper') });
  });

  it('names the step field at campaign save', () => {
    const parsed = campaignBodySchema.safeParse({
      name: 'c',
      steps: [
        { id: 'a', delay: '0s', subject: 'ok', body: 'Hi {{log name}}' },
        { id: 'b', delay: '1d', subject: 'fine', body: 'fine', html: '<p>{{{name}}}</p>' },
      ],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['steps.0.body', 'steps.1.html']);
  });
});

describe('HTML parts', () => {
  it('rewrites absolute hrefs (entities decoded and re-escaped) and leaves others', () => {
    const html = '<a href="https://example.com/?a=1&amp;b=2">x</a> <a href="mailto:a@b">m</a> <a href=\'http://e.test/\'>y</a>';
    expect(rewriteHrefs(html, (u) => `T(${u})`)).toBe('<a href="T(https://example.com/?a=1&amp;b=2)">x</a> <a href="mailto:a@b">m</a> <a href=\'T(http://e.test/)\'>y</a>');
  });

  it('appends inside </body> when there is one, else at the end', () => {
    expect(appendToBody('<html><body><p>x</p></body></html>', '<img>')).toBe('<html><body><p>x</p><img>\n</body></html>');
    expect(appendToBody('<p>x</p>', '<img>')).toBe('<p>x</p>\n<img>');
  });
});
