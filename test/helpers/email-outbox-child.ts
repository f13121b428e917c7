/**
 * @fileoverview A minimal vigil for crash tests: store + dispatcher + email alert
 * in a child process the test can SIGKILL. Logs JSON lines on stdout.
 * argv: STATE_DIR SMTP_URL dispatch|resume [COUNT]
 * `dispatch` writes COUNT down events for one target; both modes then deliver
 * until the outbox is empty, print {"msg":"outbox empty"} and exit 0.
 */
import email from '../../alerts/email.ts';
import { openStore } from '../../core/store.ts';
import { createDispatcher } from '../../core/dispatcher.ts';
import { createLogger } from '../../core/log.ts';
import type { AlertEvent } from '../../core/types.ts';

const TARGET = 'web/http/always/alerts/0';
const [stateDir, url, mode, countText] = process.argv.slice(2);
if (!stateDir || !url || (mode !== 'dispatch' && mode !== 'resume')) {
  process.stderr.write('usage: email-outbox-child.ts STATE_DIR SMTP_URL dispatch|resume [COUNT]\n');
  process.exit(2);
}
const log = createLogger({ json: true, level: 'info', write: (l) => process.stdout.write(l + '\n') });
const store = openStore(stateDir);
const alert = await email.create(
  { smtp: url, to: 'ops@example.com', from: 'vigil@example.com' },
  { log, now: Date.now, configDir: stateDir, stateDir },
);
const dispatcher = createDispatcher({
  store,
  resolve: (t) => (t === TARGET ? { plugin: 'email', alert } : undefined),
  log,
  retry: { baseMs: 100, maxMs: 400, jitter: 0.2, maxAttempts: 1000 },
});
await dispatcher.resume();

function event(i: number): AlertEvent {
  return {
    id: `web/http/127.0.0.${i}/1764128000000/${i}`,
    type: 'down',
    watch: 'web',
    service: 'http',
    hosts: ['127.0.0.2'],
    failedHosts: ['127.0.0.2'],
    summary: `outage ${i}`,
    detail: `detail ${i}`,
    output: `outage ${i}\n`,
    at: Date.now(),
    count: i,
    incident: 'web/http/1764128000000',
  };
}

if (mode === 'dispatch') {
  const n = Number(countText ?? '1');
  for (let i = 1; i <= n; i++) dispatcher.dispatch([{ event: event(i), target: TARGET }]);
  log.info({ count: n }, 'dispatched');
}

const deadline = Date.now() + 20_000;
const timer = setInterval(async () => {
  if (store.pending().length === 0) {
    clearInterval(timer);
    log.info({}, 'outbox empty');
    dispatcher.close();
    await alert.close?.();
    store.close();
    process.exit(0);
  }
  if (Date.now() > deadline) {
    log.error({ pending: store.pending().length }, 'gave up waiting for the outbox to empty');
    process.exit(1);
  }
}, 50);
