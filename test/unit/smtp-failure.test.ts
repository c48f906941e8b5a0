// Which SMTP failures are bounces: only a recipient's permanent refusal. The errors are shaped as
// nodemailer builds them (code, command, responseCode, response).
import { classifySmtpFailure, enhancedStatus, smtpFailureType } from '../../src/mail/smtp-failure';

const smtpError = (command: string, response: string, code = 'EENVELOPE') => ({ code, command, response, responseCode: Number(response.slice(0, 3)) });

describe('classifySmtpFailure', () => {
  it.each([
    ['RCPT TO', '550 5.1.1 <x@y.test>: Recipient address rejected: User unknown'],
    ['RCPT TO', '550 Requested action not taken: mailbox unavailable'],
    ['RCPT TO', '553 5.1.3 mailbox name not allowed'],
    ['RCPT TO', '551 user not local'],
    ['RCPT TO', '552 5.2.2 mailbox full'],
    ['DATA', '550 5.1.1 no such user'],
    ['DATA', '552 5.2.2 over quota'],
  ])('%s %s is a bounce', (command, response) => {
    expect(classifySmtpFailure(smtpError(command, response, command === 'DATA' ? 'EMESSAGE' : 'EENVELOPE'))).toEqual({ bounce: true });
  });

  it.each([
    [{ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535, response: '535 5.7.8 Authentication credentials invalid' }, 'auth'],
    [smtpError('MAIL FROM', '530 5.7.0 Authentication required'), 'auth'],
    [smtpError('MAIL FROM', '550 5.1.0 sender rejected'), 'sender'],
    [smtpError('MAIL FROM', '553 5.1.8 bad sender domain'), 'sender'],
    [smtpError('MAIL FROM', '552 5.3.4 message size exceeds fixed limit'), 'size'],
    [smtpError('RCPT TO', '554 5.7.1 <x@y.test>: Relay access denied'), 'policy'],
    [smtpError('RCPT TO', '554 Relay access denied'), 'policy'],
    [smtpError('RCPT TO', '550 5.7.1 Client host rejected: access denied'), 'policy'],
    [smtpError('RCPT TO', '552 message size exceeds limit'), 'size'],
    [smtpError('RCPT TO', '550 5.1.7 bad sender mailbox syntax'), 'sender'],
    [smtpError('RCPT TO', '450 4.2.1 mailbox busy'), 'temporary'],
    [smtpError('DATA', '552 5.2.3 message too big', 'EMESSAGE'), 'size'],
    [smtpError('DATA', '554 5.7.1 message rejected as spam', 'EMESSAGE'), 'policy'],
    [smtpError('DATA', '550 rejected', 'EMESSAGE'), 'policy'],
    [smtpError('DATA', '451 4.3.0 try again later', 'EMESSAGE'), 'temporary'],
    [smtpError('CONN', '554 no SMTP service here', 'EPROTOCOL'), 'policy'],
    [smtpError('CONN', '421 4.3.2 service not available', 'ECONNECTION'), 'temporary'],
    [{ code: 'ECONNECTION', command: 'CONN', originalCode: 'ECONNREFUSED' }, 'connection'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'connection'],
    [{ code: 'ESOCKET' }, 'connection'],
    [{ code: 'ETLS', command: 'STARTTLS' }, 'tls'],
    [{ code: 'EMESSAGE', command: 'MAIL FROM' }, 'size'],
    [new Error('something else'), 'connection'],
    [undefined, 'connection'],
  ])('%j is retried as %s, never a bounce', (err, kind) => {
    expect(classifySmtpFailure(err)).toEqual({ bounce: false, kind });
  });
});

describe('enhancedStatus', () => {
  it('reads the RFC 3463 code after the reply code, or null', () => {
    expect(enhancedStatus('550 5.1.1 no such user')).toEqual({ klass: 5, subject: 1, detail: 1 });
    expect(enhancedStatus('250-2.0.0 ok')).toEqual({ klass: 2, subject: 0, detail: 0 });
    expect(enhancedStatus('550 no such user 5.1.1')).toBeNull();
    expect(enhancedStatus(undefined)).toBeNull();
  });
});

describe('smtpFailureType', () => {
  it('names the kind in the ApplicationFailure type', () => {
    expect(smtpFailureType('auth')).toBe('SmtpAuthFailure');
    expect(smtpFailureType('temporary')).toBe('SmtpTemporaryFailure');
  });
});
