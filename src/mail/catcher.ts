// A local SMTP catcher for `npm run dev`: accepts every message and keeps it as an .eml file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface MailCatcherHandle {
  url: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startMailCatcher(options: { dir: string; port: number; onMessage?: (file: string, envelopeTo: string[]) => void }): Promise<MailCatcherHandle> {
  mkdirSync(options.dir, { recursive: true });
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const file = join(options.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++counter}.eml`);
        writeFileSync(file, Buffer.concat(chunks));
        const to = session.envelope.rcptTo.map((r) => r.address);
        options.onMessage?.(file, to);
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  return {
    url: `smtp://127.0.0.1:${options.port}`,
    dir: options.dir,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
