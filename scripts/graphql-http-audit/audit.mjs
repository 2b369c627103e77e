#!/usr/bin/env node
// Runs the `graphql-http` server audits (GraphQL over HTTP spec conformance) against a live server.
//
//   node audit.mjs [URL]            URL defaults to http://127.0.0.1:8080/graphql
//
// Prints one line per audit and a summary. Exit code 1 when any MUST audit fails (status
// `error`) or an audit could not run at all (e.g. the server is unreachable); SHOULD failures
// (`warn`) and MAY failures (`notice`) are reported but do not fail the run.
//
// Environment:
//   AUDIT_REPORT      write the summary and the non-ok audits as Markdown to this file
//   AUDIT_TIMEOUT_MS  per-request timeout in milliseconds (default 15000)

import { writeFile } from 'node:fs/promises';
import { serverAudits } from 'graphql-http';

const DEFAULT_URL = 'http://127.0.0.1:8080/graphql';
const url = process.argv[2] || DEFAULT_URL;
const timeoutMs = Number(process.env.AUDIT_TIMEOUT_MS) || 15000;
const reportPath = process.env.AUDIT_REPORT || '';

// The global fetch, with a timeout so that a hanging server cannot hang the audit.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) });

// Status, content type and the start of the body of a failing audit's response, for diagnosis.
async function describeResponse(response) {
  if (!response || typeof response.status !== 'number') return '';
  let text = `HTTP ${response.status}`;
  const contentType = response.headers?.get?.('content-type');
  text += contentType ? `, content-type: ${contentType}` : ', no content-type';
  try {
    if (!response.bodyUsed) {
      const body = (await response.text()).replace(/\s+/g, ' ').trim();
      if (body) text += `, body: ${body.length > 200 ? `${body.slice(0, 200)}…` : body}`;
    }
  } catch {
    // The body could not be read (already consumed, aborted): the status is enough.
  }
  return text;
}

const LABEL = { ok: 'ok', warn: 'WARN', notice: 'notice', error: 'ERROR', fatal: 'FATAL' };

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // graphql-http throws only on fatal problems (network errors, timeouts, bugs).
    result = {
      id: audit.id,
      name: audit.name,
      status: 'fatal',
      reason: `audit could not run: ${err?.cause?.message ?? err?.message ?? String(err)}`,
    };
  }
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = String(result.reason ?? '');
    entry.response = await describeResponse(result.response);
  } else if (result.response?.body && !result.response.bodyUsed) {
    await result.response.body.cancel().catch(() => {});
  }
  results.push(entry);
  const label = (LABEL[entry.status] ?? entry.status).padEnd(6);
  let line = `${label} ${entry.id} ${entry.name}`;
  if (entry.status !== 'ok') {
    line += `\n         reason: ${entry.reason}`;
    if (entry.response) line += `\n         response: ${entry.response}`;
  }
  console.log(line);
}

const count = (status) => results.filter((r) => r.status === status).length;
const counts = {
  ok: count('ok'),
  warn: count('warn'),
  notice: count('notice'),
  error: count('error'),
  fatal: count('fatal'),
};
let summary =
  `graphql-http audit: ${counts.ok} ok, ${counts.warn} warn (SHOULD), ` +
  `${counts.notice} notice (MAY), ${counts.error} error (MUST)`;
if (counts.fatal) summary += `, ${counts.fatal} fatal (could not run)`;
console.log(`\n${summary}  [${url}]`);

if (reportPath) {
  const md = [
    '# graphql-http audit',
    '',
    `Server: \`${url}\``,
    '',
    `**${summary}**`,
    '',
  ];
  const failing = results.filter((r) => r.status !== 'ok');
  if (failing.length) {
    const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    md.push('| status | id | audit | reason | response |', '| --- | --- | --- | --- | --- |');
    for (const r of failing) {
      md.push(
        `| ${r.status} | ${r.id} | ${cell(r.name)} | ${cell(r.reason)} | ${cell(r.response)} |`,
      );
    }
  } else {
    md.push('All audits passed.');
  }
  await writeFile(reportPath, `${md.join('\n')}\n`);
  console.log(`report written to ${reportPath}`);
}

process.exitCode = counts.error || counts.fatal ? 1 : 0;
