/**
 * The ceiling Elyzor is measured against: the least a verification endpoint can do in Node.
 * It reads the request to the end (as any real server must before answering on a keep-alive
 * connection), takes the bearer token, hashes it with SHA-256 and looks the digest up in a Map,
 * then answers with the same 200 / 401 JSON shapes as POST /v1/verify.
 *
 * With BASELINE_ANSWER (a JSON { status, headers, body } captured from Elyzor for a scenario) it
 * is the same-answer baseline: the same work, then Elyzor's exact answer for that scenario — its
 * status, its own headers (RateLimit-Policy, RateLimit, Retry-After) plus Content-Type,
 * Content-Length and an X-Request-Id from crypto.randomUUID(), and the body rebuilt with
 * JSON.stringify for every request. What Elyzor costs beyond it is the verification itself.
 *
 * Run by bench/run.mjs as a child process (so it gets a process of its own, as Elyzor does):
 *   BASELINE_TOKENS='["sk_live_…"]' BASELINE_PROJECT_ID=… [BASELINE_ANSWER='{…}'] node bench/baseline.mjs
 * It prints `baseline listening on <port>` once it accepts connections (PORT, default 0 = any).
 */
import { Buffer } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const tokens = JSON.parse(process.env.BASELINE_TOKENS ?? '[]');
const projectId = process.env.BASELINE_PROJECT_ID ?? '00000000-0000-0000-0000-000000000000';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const known = new Map(tokens.map((token) => [sha256(token), { projectId }]));
const answer = process.env.BASELINE_ANSWER === undefined ? null : JSON.parse(process.env.BASELINE_ANSWER);

const INVALID = JSON.stringify({ valid: false, error: 'invalid_key' });
const NOT_FOUND = JSON.stringify({ error: 'not_found' });

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Elyzor's answer for the scenario, written as Elyzor's lane writes it. */
function sendAnswer(res, record) {
  // The lookup is done (the same work); the answer is the scenario's, whatever it found.
  void record;
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': randomUUID() });
  res.end(body);
}

const server = createServer((req, res) => {
  // Drain the body first: answering before reading it would be cheating on keep-alive.
  req.on('data', () => {});
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/verify') return send(res, 404, NOT_FOUND);
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const record = token === '' ? undefined : known.get(sha256(token));
    if (answer !== null) return sendAnswer(res, record);
    if (record === undefined) return send(res, 401, INVALID);
    send(res, 200, JSON.stringify({ valid: true, projectId: record.projectId, rateLimitRemaining: 99 }));
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`baseline listening on ${server.address().port}`);
});

const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
