import { campaignBodySchema } from '../../src/catalog/schemas';
import { DEFAULT_CAMPAIGN } from '../../src/domain/defaults';
import { appendToBody, rewriteHrefs } from '../../src/mail/html';
import { checkTemplate, renderTemplate, renderTemplateOrLegacy } from '../../src/mail/templates';

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
    // Triple braces are the template author's explicit choice; lead values still cannot add tags elsewhere.
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
