/**
 * @fileoverview What an alert mail says. The default is mon's mail.alert:
 * subject `ALERT group/service: summary (Thu Nov 26 03:50:00)`, body with the
 * summary, group, service, time, members and the detail. Pure.
 */
import type { AlertEvent, OptionProblem } from '../../core/types.ts';
import { compileTemplate, type Template, type TemplateValues } from './template.ts';
import { problemsOf } from '../../core/kit/option-problems.ts';

export const TEMPLATE_FIELDS = [
  'alert', 'type', 'watch', 'group', 'service', 'description', 'summary', 'detail', 'output', 'hosts',
  'failedHosts', 'host', 'time', 'timeShort', 'iso', 'since', 'count', 'incident', 'id', 'exitCode', 'comment',
] as const;

export const DEFAULT_SUBJECT = '{alert} {watch}/{service}: {summary} ({timeShort})';
export const DEFAULT_BODY = [
  'Summary output        : {summary}',
  '',
  'Group                 : {watch}',
  'Service               : {service}',
  'Time noticed          : {time}',
  'Members               : {hosts}',
  'Failing hosts         : {failedHosts}',
  '',
  'Detailed text (if any) follows:',
  '-------------------------------',
  '{detail}',
].join('\n');

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Perl's scalar localtime: `Thu Nov 26 03:50:00 2026` (day padded with a space, as ctime does). */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const hms = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${hms} ${d.getFullYear()}`;
}

/** mail.alert's subject time: ctime split on blanks, first four words. */
export function subjectTime(ms: number): string {
  return ctime(ms).split(/\s+/).slice(0, 4).join(' ');
}

/** mon's alert kind word as mail.alert prints it. */
export function alertWord(e: AlertEvent): string {
  switch (e.type) {
    case 'up':
    case 'host-up':
      return 'UPALERT';
    case 'startup':
      return 'STARTUPALERT';
    case 'ack':
      return 'ACKALERT';
    case 'disable':
      return 'DISABLEALERT';
    default:
      return 'ALERT';
  }
}

export function templateValues(e: AlertEvent): TemplateValues {
  const detail = e.type === 'ack' && e.comment ? e.comment : e.detail;
  return {
    alert: alertWord(e),
    type: e.type,
    watch: e.watch,
    group: e.watch,
    service: e.service,
    description: e.description ?? '',
    summary: e.summary,
    detail,
    output: e.output,
    hosts: e.hosts.join(' '),
    failedHosts: e.failedHosts.join(' '),
    host: e.host ?? '',
    time: ctime(e.at),
    timeShort: subjectTime(e.at),
    iso: new Date(e.at).toISOString(),
    since: e.since !== undefined ? ctime(e.since) : '',
    count: String(e.count),
    incident: e.incident,
    id: e.id,
    exitCode: e.exitCode !== undefined ? String(e.exitCode) : '',
    comment: e.comment ?? '',
  };
}

export interface MessageTemplates {
  subject: Template;
  body: Template;
}

/** What is wrong with the subject and body templates given, per option (none: both compile). */
export function templateProblems(options: { subject?: string; body?: string }): OptionProblem[] {
  return (['subject', 'body'] as const).flatMap((option) => {
    const text = options[option];
    return text === undefined ? [] : problemsOf(() => compileTemplate(text, TEMPLATE_FIELDS, 'template'), option);
  });
}

export function compileMessage(subject?: string, body?: string): MessageTemplates {
  return {
    subject: compileTemplate(subject ?? DEFAULT_SUBJECT, TEMPLATE_FIELDS, 'email option "subject"'),
    body: compileTemplate(body ?? DEFAULT_BODY, TEMPLATE_FIELDS, 'email option "body"'),
  };
}

export interface MailText {
  subject: string;
  text: string;
}

/** A header must be one line: fold any newline a summary carried into a space. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

export function renderOne(t: MessageTemplates, e: AlertEvent): MailText {
  const v = templateValues(e);
  return { subject: oneLine(t.subject(v)), text: t.body(v).replace(/\n*$/, '\n') };
}

/**
 * Several events in one mail (digest, or folded by the rate limit): the subject
 * counts them and names the first ones, the body has each event's own mail.
 */
export function renderDigest(t: MessageTemplates, events: AlertEvent[], at: number, note?: string): MailText {
  if (events.length === 1 && !note) return renderOne(t, events[0]!);
  if (events.length === 1) {
    const one = renderOne(t, events[0]!);
    return { subject: one.subject, text: `${note}\n\n${one.text}` };
  }
  const names = events.map((e) => `${alertWord(e)} ${e.watch}/${e.service}`);
  let list = names.slice(0, 3).join(', ');
  if (names.length > 3) list += `, +${names.length - 3} more`;
  const subject = oneLine(`${events.length} alerts: ${list} (${subjectTime(at)})`);
  const sections = events.map((e, i) => {
    const one = renderOne(t, e);
    return `=== ${i + 1} of ${events.length}: ${one.subject}\n\n${one.text}`;
  });
  return { subject, text: (note ? `${note}\n\n` : '') + sections.join('\n') };
}
