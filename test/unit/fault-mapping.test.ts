// Pure pieces of fault handling: which database errors mean "unavailable, retry" (503), which text
// cannot be stored (400), and SMTP errors stripped of addresses before they reach logs and history.
import { withoutAddresses } from '../../activities/email';
import { findUnstorableText } from '../../src/api/text-guard';
import { isDatabaseTimeout, isDatabaseUnavailable } from '../../src/db/unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', pgError('ECONNREFUSED')],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up', pgError('57P03', 'the database system is starting up')],
    ['too many connections', pgError('53300')],
    ['connection exception class 08', pgError('08006')],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['connect timeout', new Error('timeout exceeded when trying to connect')],
    ['dual-stack connect', new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')], 'connect failed')],
  ])('%s → unavailable', (_what, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value')],
    ['syntax error', pgError('42601')],
    ['invalid text', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a message that merely mentions a connection', pgError('XX000', 'Connection terminated unexpectedly')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s → not unavailable', (_what, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});

describe('isDatabaseTimeout', () => {
  it('is a statement or lock timeout, nothing else', () => {
    expect(isDatabaseTimeout(pgError('57014', 'canceling statement due to statement timeout'))).toBe(true);
    expect(isDatabaseTimeout(pgError('55P03', 'canceling statement due to lock timeout'))).toBe(true);
    expect(isDatabaseTimeout(pgError('23505'))).toBe(false);
    expect(isDatabaseTimeout(null)).toBe(false);
  });
});

describe('findUnstorableText', () => {
  it('names the first NUL or lone surrogate by its path, in values and in keys', () => {
    expect(findUnstorableText({ name: 'ok', utm: { source: 'a\u0000b' } })).toEqual({ field: 'utm.source', message: expect.stringContaining('U+0000') });
    expect(findUnstorableText({ events: [{ type: 'x' }, { properties: { p: 'x\ud800' } }] })).toEqual({ field: 'events.1.properties.p', message: expect.stringContaining('surrogate') });
    expect(findUnstorableText({ attributes: { 'k\u0000': 1 } })).toEqual({ field: 'attributes.k\u0000', message: expect.stringMatching(/^field name/) });
    expect(findUnstorableText('\udc00')).toEqual({ field: '', message: expect.stringContaining('surrogate') });
  });

  it('accepts well-formed text of any script, emoji and control characters other than NUL', () => {
    expect(findUnstorableText({ name: '山田 太郎 😀👨‍👩‍👧‍👦 \u202e\ufeff\r\n\t', n: 1, b: true, z: null, list: ['Ｆｕｌｌ'] })).toBeNull();
  });
});

describe('withoutAddresses', () => {
  it('replaces every address an SMTP server quotes', () => {
    expect(withoutAddresses('Message failed: 550 5.1.1 <Taro.Yamada+x@example.co.jp>: Recipient address rejected (also bob@example.com)')).toBe(
      'Message failed: 550 5.1.1 <<address>>: Recipient address rejected (also <address>)',
    );
    expect(withoutAddresses('451 4.3.0 try again later')).toBe('451 4.3.0 try again later');
  });
});
