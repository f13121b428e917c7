// vigil status page: renders /api/status, follows /api/events (server-sent
// events read with fetch so the token can go in a header), and sends operator
// actions with the token kept in sessionStorage. Every piece of config text or
// check output goes into the page with textContent, never as HTML.
import { $, ago, el, fmtMs, pill, timeEl } from './dom.js';
import { drainButtons, lvsLines } from './lvs.js';

const TOKEN_KEY = 'vigil.token';
const state = { snap: null, events: [], live: false, open: new Set(), lastUpdate: 0 };

function tick() {
  const now = Date.now();
  for (const t of document.querySelectorAll('time[data-mode="ago"]')) t.textContent = ago(Number(t.dataset.at), now);
  if (state.lastUpdate) $('live').title = `last update ${ago(state.lastUpdate, now)}`;
}

// ---------------------------------------------------------------- token and API

const token = () => sessionStorage.getItem(TOKEN_KEY) || '';

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (token()) headers.authorization = `Bearer ${token()}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let json = null;
  try {
    json = await res.json();
  } catch {}
  if (!res.ok) {
    const err = new Error((json && json.error) || `${method} ${path}: HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return json;
}

function toast(text, kind = 'ok') {
  const t = el(`div.toast.${kind}`, { role: kind === 'error' ? 'alert' : 'status' }, text);
  $('toasts').append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 9000 : 4000);
}

async function act(label, method, path, body) {
  try {
    await api(method, path, body);
    toast(label);
    await refresh();
  } catch (err) {
    toast(`${label} failed: ${err.message}`, 'error');
    if (err.status === 401 || err.status === 403) showTokenPanel(true);
  }
}

const enc = encodeURIComponent;
const svcPath = (s, what) => `/api/services/${enc(s.watch)}/${enc(s.service)}/${what}`;

// ---------------------------------------------------------------- rendering

const STATE_LABEL = { ok: 'OK', fail: 'FAIL', untested: 'not checked yet', up: 'up', down: 'down', degraded: 'degraded', unknown: 'unknown' };

function stateOf(s, w) {
  if (s.disabled || (w && w.disabled)) return 'disabled';
  return s.status;
}

function badges(s, w) {
  return [
    s.overdue && pill('overdue', 'overdue'),
    s.acked && pill('acked', 'acked'),
    (s.disabled || (w && w.disabled)) && pill('disabled', w && w.disabled ? 'watch disabled' : 'alerts disabled'),
    s.running && pill('running', 'checking…'),
    s.depend && s.dependOk === false && pill('depend', 'dependency down'),
  ];
}

function hostChips(s, disabledHosts) {
  return el(
    'ul.hosts',
    {},
    s.hosts.map((h) => {
      const off = h.disabled || disabledHosts.includes(h.host);
      const st = h.excluded ? 'excluded' : off ? 'off' : h.state;
      const tip = [`${h.host}: ${h.excluded ? 'excluded' : off ? 'disabled' : STATE_LABEL[h.state] || h.state}`, h.summary, h.since ? `since ${new Date(h.since).toLocaleString()}` : ''].filter(Boolean).join('\n');
      return el(
        `li.host.${st}`,
        { title: tip, dataset: { host: h.host, state: st } },
        el('span.dot', { 'aria-hidden': 'true' }),
        el('span.host-name', {}, h.host),
        h.latencyMs !== undefined && h.state === 'up' ? el('span.latency', {}, `${fmtMs(h.latencyMs)}`) : null,
        st === 'down' || st === 'degraded' ? el('span.sr', {}, ` ${st}`) : null,
      );
    }),
  );
}

function actionButtons(s, compact) {
  if (!token()) return null;
  const buttons = [];
  if (s.status === 'fail' && !s.acked) buttons.push(el('button.small.warn', { type: 'button', dataset: { action: 'ack' }, onclick: () => openAck(s) }, 'Ack'));
  buttons.push(el('button.small', { type: 'button', dataset: { action: 'test' }, onclick: () => act(`Checked ${s.watch}/${s.service}`, 'POST', svcPath(s, 'test')) }, 'Test now'));
  buttons.push(
    s.disabled
      ? el('button.small.ghost', { type: 'button', dataset: { action: 'enable' }, onclick: () => act(`Enabled alerts of ${s.watch}/${s.service}`, 'POST', svcPath(s, 'enable')) }, 'Enable')
      : el('button.small.ghost', { type: 'button', dataset: { action: 'disable' }, onclick: () => act(`Disabled alerts of ${s.watch}/${s.service}`, 'POST', svcPath(s, 'disable')) }, 'Disable'),
  );
  return el(compact ? 'div.actions.compact' : 'div.actions', {}, buttons);
}

function detailsBlock(key, summaryText, body) {
  const d = el('details', { open: state.open.has(key) || undefined, dataset: { key } }, el('summary', {}, summaryText), el('pre.detail', {}, body));
  d.addEventListener('toggle', () => (d.open ? state.open.add(key) : state.open.delete(key)));
  return d;
}

/** Why a host fails, in its own words (the monitor's per-host summary), else nothing. */
function hostReason(h) {
  if (!h.summary || h.summary === h.host) return '';
  return h.summary.includes(h.host) ? h.summary : `${h.host}: ${h.summary}`;
}

const failingHosts = (s) => s.hosts.filter((h) => h.state === 'down' || h.state === 'degraded');

/** The lines that say why a service fails: per-host reasons when the monitor gives them, else its summary. */
function reasons(s) {
  const bad = failingHosts(s);
  // A group monitor (mon script) gives every host the service summary: say it once.
  if (bad.length && bad.every((h) => h.summary === s.summary)) return [s.summary];
  const per = bad.map(hostReason).filter(Boolean);
  const unique = [...new Set(per)];
  return unique.length ? unique : [s.summary || '(no output)'];
}

function problemCard(s, w, disabledHosts) {
  const failing = failingHosts(s);
  const key = `${s.watch}/${s.service}`;
  return el(
    `article.problem${s.acked ? '.is-acked' : ''}`,
    { dataset: { service: key } },
    el('div.problem-head', {}, el('h3', {}, el('span.watch', {}, s.watch), ' / ', s.service), badges(s, w)),
    s.description ? el('p.desc', {}, s.description) : null,
    el('p.since', {}, 'Failing since ', timeEl(s.firstFailure || s.since, 'clock'), ' (', timeEl(s.firstFailure || s.since), ')', s.alertsSent ? ` · ${s.alertsSent} alert${s.alertsSent === 1 ? '' : 's'} sent` : ''),
    failing.length ? el('p.failing', {}, el('span.label', {}, failing.length === 1 ? 'Host down: ' : `${failing.length} hosts down: `), failing.map((h) => el('span.badhost', { title: h.summary || '' }, h.host))) : null,
    el('div.summary', {}, reasons(s).slice(0, 8).map((r) => el('code', {}, r))),
    s.detail ? detailsBlock(`p:${key}`, 'Details', s.detail) : null,
    s.acked ? el('p.ack', {}, 'Acknowledged', s.ackAt ? [' ', timeEl(s.ackAt)] : '', s.ackComment ? [': ', el('q', {}, s.ackComment)] : '') : null,
    actionButtons(s, false),
  );
}

/**
 * lvs: one line per virtual service from the alert's describe() (s.alertStates),
 * e.g. "tcp 127.0.0.100:80 rr — in: 127.0.0.2:8080 (w1); out: 127.0.0.3:8080".
 * Same text as core/control/alert-state-text.ts; inserted as text only.
 */
function serviceRow(s, w, disabledHosts) {
  const st = stateOf(s, w);
  const key = `${s.watch}/${s.service}`;
  const why = s.status === 'fail' ? reasons(s) : [];
  return el(
    `tr.svc.${st}`,
    { dataset: { service: key, status: s.status } },
    el('td.state', { 'data-label': 'State' }, pill(st, st === 'disabled' ? 'OFF' : STATE_LABEL[s.status] || s.status)),
    el(
      'td.name',
      { 'data-label': 'Service' },
      el('div.svc-title', {}, el('strong', {}, s.service), el('span.monitor', {}, s.monitor), badges(s, w)),
      s.description ? el('div.desc', {}, s.description) : null,
      why.length ? el('div.summary', {}, why.slice(0, 3).map((r) => el('code', {}, r)), why.length > 3 ? el('span.muted', {}, ` and ${why.length - 3} more`) : null) : null,
      lvsLines(s).length ? el('ul.pools', {}, lvsLines(s).map((t) => el('li.pool', {}, t))) : null,
      token() ? drainButtons(s, act) : null,
    ),
    el('td.hosts-cell', { 'data-label': 'Hosts' }, hostChips(s, disabledHosts)),
    el('td.when', { 'data-label': 'Last check' }, timeEl(s.lastCheck), s.durationMs !== undefined ? el('div.muted', {}, `took ${fmtMs(s.durationMs)}`) : null),
    el('td.when', { 'data-label': 'Since' }, timeEl(s.since, 'clock'), s.since ? el('div.muted', {}, timeEl(s.since)) : null),
    el('td.when', { 'data-label': 'Next' }, s.running ? el('span.muted', {}, 'running') : s.nextCheck ? timeEl(s.nextCheck) : el('span.muted', {}, s.intervalMs ? '—' : 'traps only')),
    el('td.actions-cell', {}, actionButtons(s, true)),
  );
}

function watchRow(w) {
  const failing = w.services.filter((s) => s.status === 'fail').length;
  const buttons = token()
    ? el(
        'div.actions.compact',
        {},
        w.disabled
          ? el('button.small.ghost', { type: 'button', onclick: () => act(`Enabled watch ${w.watch}`, 'POST', `/api/watches/${enc(w.watch)}/enable`) }, 'Enable watch')
          : el('button.small.ghost', { type: 'button', onclick: () => act(`Disabled watch ${w.watch}`, 'POST', `/api/watches/${enc(w.watch)}/disable`) }, 'Disable watch'),
      )
    : null;
  return el(
    'tr.watch',
    { dataset: { watch: w.watch } },
    el(
      'th',
      { colspan: 7, scope: 'rowgroup' },
      el('div.watch-head', {}, el('span.watch-name', {}, w.watch), el('span.muted', {}, `${w.hosts.length} host${w.hosts.length === 1 ? '' : 's'} · ${w.services.length} service${w.services.length === 1 ? '' : 's'}`), failing ? pill('fail', `${failing} failing`) : null, w.disabled ? pill('disabled', 'disabled') : null, buttons),
    ),
  );
}

function renderOverall(snap) {
  const all = snap.watches.flatMap((w) => w.services.map((s) => ({ s, w })));
  const failing = all.filter(({ s }) => s.status === 'fail');
  const overdue = all.filter(({ s }) => s.overdue);
  const untested = all.filter(({ s }) => s.status === 'untested');
  const o = $('overall');
  o.className = 'overall ' + (failing.length ? 'fail' : untested.length === all.length && all.length ? 'untested' : overdue.length ? 'overdue' : 'ok');
  let text;
  if (failing.length) text = `${failing.length} of ${all.length} service${all.length === 1 ? '' : 's'} failing`;
  else if (untested.length === all.length && all.length) text = 'Checking…';
  else text = `All ${all.length} service${all.length === 1 ? '' : 's'} OK`;
  if (overdue.length) text += ` · ${overdue.length} overdue`;
  o.textContent = text;
  document.title = failing.length ? `(${failing.length}) vigil: ${failing.map(({ s }) => `${s.watch}/${s.service}`).join(', ')}` : 'vigil: all OK';
}

function renderBanner(snap) {
  const b = $('banner');
  const msgs = [];
  if (!snap.schedulerRunning) msgs.push('The scheduler is stopped: no checks are running. Start it with the API or restart vigil without --stopped.');
  const overdue = snap.watches.flatMap((w) => w.services.filter((s) => s.overdue).map((s) => `${s.watch}/${s.service}`));
  if (overdue.length) msgs.push(`Overdue by more than two intervals: ${overdue.join(', ')}. Their checks are not running on time; see vigil's log.`);
  b.hidden = msgs.length === 0;
  b.replaceChildren(...msgs.map((m) => el('p', {}, m)));
}

function render() {
  const snap = state.snap;
  if (!snap) return;
  renderOverall(snap);
  renderBanner(snap);
  const problems = [];
  const rows = [];
  for (const w of snap.watches) {
    rows.push(watchRow(w));
    for (const s of w.services) {
      rows.push(serviceRow(s, w, snap.disabledHosts));
      if (s.status === 'fail' || s.overdue) problems.push(problemCard(s, w, snap.disabledHosts));
    }
  }
  if (!rows.length) rows.push(el('tr', {}, el('td.muted', { colspan: 7 }, 'This config has no watches.')));
  $('services').replaceChildren(...rows);
  $('problems').replaceChildren(...problems);
  $('problems-section').hidden = problems.length === 0;
  const footer = [
    el('span', {}, 'Config ', el('code', {}, snap.configFile)),
    el('span', {}, 'started ', timeEl(snap.startedAt)),
    snap.disabledHosts.length ? el('span', {}, 'disabled hosts: ', snap.disabledHosts.join(', ')) : null,
    el('span', {}, el('a', { href: '/metrics' }, 'metrics'), ' · ', el('a', { href: '/api/status' }, 'status JSON'), ' · ', el('a', { href: '/healthz' }, 'health')),
  ];
  $('footer').replaceChildren(...footer.filter(Boolean));
  $('token-button').textContent = token() ? 'Actions unlocked' : 'Unlock actions';
  $('token-button').classList.toggle('unlocked', !!token());
}

const EVENT_KIND = { down: 'fail', 'still-down': 'fail', 'host-down': 'fail', 'host-degraded': 'overdue', up: 'ok', 'host-up': 'ok', ack: 'acked', disable: 'disabled', startup: 'untested', test: 'untested' };

function eventText(e) {
  if (e.comment) return e.comment;
  if (e.type === 'up') return 'recovered: every host passes';
  if ((e.type === 'down' || e.type === 'still-down') && e.failedHosts && e.failedHosts.length) return `failing: ${e.failedHosts.join(', ')}`;
  return e.summary || '';
}

function renderEvents() {
  const list = state.events.slice(-50).reverse();
  const items = list.map((e) =>
    el(
      'li.event',
      { dataset: { type: e.type } },
      el('span.ev-time', {}, timeEl(e.at, 'clock')),
      pill(EVENT_KIND[e.type] || 'untested', e.type + (e.test ? ' (test)' : '')),
      el('span.ev-what', {}, el('strong', {}, `${e.watch}/${e.service}`), e.host ? ` ${e.host}` : ''),
      el('span.ev-summary', {}, eventText(e)),
    ),
  );
  if (!items.length) items.push(el('li.muted', {}, 'No events since vigil started. They appear here as services go down and come back.'));
  $('events').replaceChildren(...items);
}

// ---------------------------------------------------------------- ack dialog

let ackTarget = null;
function openAck(s) {
  ackTarget = s;
  $('ack-title').textContent = `Acknowledge ${s.watch}/${s.service}`;
  $('ack-comment').value = '';
  $('ack-dialog').showModal();
  $('ack-comment').focus();
}

// ---------------------------------------------------------------- data flow

function setLive(on, text) {
  state.live = on;
  const l = $('live');
  l.className = `live ${on ? 'on' : 'off'}`;
  l.textContent = text;
}

function applyStatus(snap) {
  state.snap = snap;
  state.lastUpdate = Date.now();
  render();
}

async function refresh() {
  try {
    applyStatus(await api('GET', '/api/status'));
  } catch (err) {
    if (err.status === 401 || err.status === 403) {
      $('overall').textContent = 'Enter the control token to see the status';
      showTokenPanel(true);
    } else toast(`Cannot read the status: ${err.message}`, 'error');
  }
}

async function loadEvents() {
  try {
    const recent = await api('GET', '/api/events/recent');
    const seen = new Set(state.events.map((e) => e.id));
    state.events = [...recent.filter((e) => !seen.has(e.id)), ...state.events].sort((a, b) => a.at - b.at);
    renderEvents();
  } catch {}
}

/** Reads the SSE stream with fetch (EventSource cannot send the Authorization header). */
async function follow() {
  let delay = 1000;
  for (;;) {
    try {
      const headers = { accept: 'text/event-stream' };
      if (token()) headers.authorization = `Bearer ${token()}`;
      const res = await fetch('/api/events', { headers, cache: 'no-store' });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      setLive(true, 'live');
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          handleFrame(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      }
    } catch {}
    setLive(false, 'reconnecting…');
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function handleFrame(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) event = line.slice(7);
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join('\n'));
  if (event === 'status') applyStatus(payload);
  else if (event === 'event') {
    if (!state.events.some((e) => e.id === payload.id)) state.events.push(payload);
    if (state.events.length > 200) state.events.splice(0, state.events.length - 200);
    renderEvents();
  }
}

// ---------------------------------------------------------------- token panel

function showTokenPanel(show) {
  $('token-panel').hidden = !show;
  if (show) $('token-input').focus();
}

function wire() {
  $('token-button').addEventListener('click', () => showTokenPanel($('token-panel').hidden));
  $('token-panel').addEventListener('submit', (e) => {
    e.preventDefault();
    const v = $('token-input').value.trim();
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
    $('token-input').value = '';
    showTokenPanel(false);
    toast(v ? 'Token saved for this tab' : 'No token entered', v ? 'ok' : 'error');
    refresh();
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenPanel(false);
    toast('Token forgotten');
    render();
  });
  $('ack-cancel').addEventListener('click', () => $('ack-dialog').close());
  $('ack-form').addEventListener('submit', (e) => {
    const comment = $('ack-comment').value.trim();
    if (!comment || !ackTarget) {
      e.preventDefault();
      return;
    }
    const s = ackTarget;
    ackTarget = null;
    act(`Acknowledged ${s.watch}/${s.service}`, 'POST', svcPath(s, 'ack'), { comment, user: 'web' });
  });
  setInterval(tick, 1000);
}

wire();
refresh();
loadEvents();
follow();
