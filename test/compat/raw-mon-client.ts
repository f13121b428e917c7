/** A raw line client for the mon protocol: sends one command, collects lines up to the status line. */
import { connect, type Socket } from 'node:net';

export interface RawClient {
  cmd(line: string): Promise<string[]>;
  closed: Promise<void>;
  end(): void;
}

export async function rawClient(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
  const sock: Socket = connect(port, host);
  await new Promise<void>((ok, fail) => {
    sock.once('connect', ok);
    sock.once('error', fail);
  });
  let buf = '';
  const waiters: Array<() => void> = [];
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<void>((ok) => sock.on('close', () => (waiters.splice(0).forEach((w) => w()), ok())));
  return {
    closed,
    end: () => sock.destroy(),
    async cmd(line: string) {
      sock.write(line + '\n');
      const deadline = Date.now() + timeoutMs;
      const lines: string[] = [];
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          const l = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          lines.push(l);
          if (/^[2-5]\d\d /.test(l)) return lines;
          continue;
        }
        if (sock.destroyed) return lines;
        if (Date.now() > deadline) throw new Error(`no status line for "${line}" within ${timeoutMs} ms; got ${JSON.stringify(lines)}`);
        await new Promise<void>((ok) => {
          waiters.push(ok);
          setTimeout(ok, 100);
        });
      }
    },
  };
}
