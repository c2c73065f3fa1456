import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createHarness, type TestHarness } from '../helpers/app.ts';
import { startFakeOllama, type FakeOllama } from '../helpers/ollama-server.ts';
import { OllamaReasoner, createIntentReasoner, rulesReasoner } from '../../src/modules/scoring/permit-intent.reasoner.ts';
import { classifyPermit, finalizeIntent, type PermitFacts } from '../../src/modules/scoring/permit-intent.scorer.ts';

/** The Ollama reasoner against a local server speaking /api/generate, with usage rows in a real database. */
let h: TestHarness;
let ollama: FakeOllama;

const facts: PermitFacts = {
  permitType: 'Residential Pool', description: 'New gunite pool and spa', value: 85_000, marketValue: 640_000, daysOld: 5,
  isAbsentee: false, ownerName: 'Jane Doe', address: '1 Main St', city: 'Plano', state: 'TX',
};
const pool = classifyPermit(facts);
const good = { score: 83, reasoning: 'Fresh, well-funded pool project.', ideal_contractor: 'Luxury pool builder', contact_priority: 'call', flags: ['HOA review'] };

const reasoner = (o: Partial<ConstructorParameters<typeof OllamaReasoner>[0]> = {}) =>
  new OllamaReasoner({ url: ollama.url, model: 'test-model', timeoutMs: 1000, retries: 2, backoffMs: 10, ...o });

const usageRows = (entityId: string) =>
  h.ctx.db.prisma.apiUsageLog.findMany({ where: { entityId }, orderBy: { createdAt: 'asc' } });

beforeAll(async () => {
  h = await createHarness();
  ollama = await startFakeOllama();
});
afterAll(async () => {
  await ollama?.close();
  await h?.close();
});
beforeEach(() => {
  ollama.requests.length = 0;
});

describe('OllamaReasoner', () => {
  it('posts { model, prompt, format: json, stream: false } and scores a valid answer, logging cost and latency', async () => {
    ollama.answer = () => ({ kind: 'reply', response: good });
    const id = randomUUID();
    const out = await reasoner().assess(facts, pool, { usageDb: h.ctx.db.prisma, entityId: id });
    expect(out).toEqual({
      ok: true,
      assessment: { score: 83, reasoning: 'Fresh, well-funded pool project.', idealContractor: 'Luxury pool builder', contactPriority: 'call', flags: ['HOA review'] },
    });
    expect(ollama.requests).toHaveLength(1);
    const sent = ollama.requests[0]!;
    expect(Object.keys(sent).sort()).toEqual(['format', 'model', 'options', 'prompt', 'stream']);
    expect(sent).toMatchObject({ model: 'test-model', format: 'json', stream: false, options: { temperature: 0 } });
    expect(sent.prompt).toContain('"category":"pool"');
    expect(sent.prompt).not.toContain('Jane');

    const intent = finalizeIntent(facts, pool, out, reasoner().version);
    expect(intent).toMatchObject({ score: 83, tier: 'A', contactPriority: 'call', flags: ['hoa_review'], needsReview: false, version: 'permit-classifier@1+ollama:test-model+permit-intent-prompt@1' });

    const rows = await usageRows(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      apiProvider: 'ollama', apiEndpoint: '/api/generate', requestMethod: 'POST', responseStatus: 200, success: true,
      service: 'scoring', entityType: 'permit', errorMessage: null,
      requestParams: { model: 'test-model', prompt: 'permit-intent-prompt@1' },
      responseBody: { model: 'test-model', prompt_eval_count: 210, eval_count: 48, total_duration_ns: 1_234_000_000 },
    });
    expect(Number(rows[0]!.cost)).toBe(0);
    expect(rows[0]!.responseTimeMs).toBeGreaterThanOrEqual(0);
  });

  it('invalid JSON in `response` → RETRY with the error (no retry: the HTTP call worked)', async () => {
    ollama.answer = () => ({ kind: 'reply', response: 'Sure! The score is 85.' });
    const out = await reasoner().assess(facts, pool);
    expect(out).toEqual({ ok: false, error: 'ollama response is not valid JSON: "Sure! The score is 85."' });
    expect(ollama.requests).toHaveLength(1);
    const intent = finalizeIntent(facts, pool, out, 'v');
    expect([intent.score, intent.tier, intent.error]).toEqual([-1, 'RETRY', 'ollama response is not valid JSON: "Sure! The score is 85."']);
  });

  it('an answer outside the schema → RETRY, never a made-up score', async () => {
    ollama.answer = () => ({ kind: 'reply', response: { ...good, score: 150 } });
    const out = await reasoner().assess(facts, pool);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toBe('ollama response does not match the schema: score: Too big: expected number to be <=100');
  });

  it('a slow answer times out on every attempt → RETRY', async () => {
    ollama.answer = () => ({ kind: 'reply', response: good, delayMs: 1500 });
    const id = randomUUID();
    const started = Date.now();
    const out = await reasoner({ timeoutMs: 150, retries: 1 }).assess(facts, pool, { usageDb: h.ctx.db.prisma, entityId: id });
    expect(out).toEqual({ ok: false, error: 'ollama did not answer within 150 ms (after 2 attempts)' });
    expect(Date.now() - started).toBeLessThan(1200); // gave up at the timeout, not when the server answered
    expect(ollama.requests).toHaveLength(2);
    const rows = await usageRows(id);
    expect(rows.map((r) => [r.success, r.responseStatus, r.errorMessage])).toEqual([
      [false, null, 'ollama did not answer within 150 ms'],
      [false, null, 'ollama did not answer within 150 ms'],
    ]);
  });

  it('HTTP 500 is retried with backoff, then RETRY; each attempt is logged', async () => {
    ollama.answer = () => ({ kind: 'raw', status: 500, body: '{"error":"model crashed"}' });
    const id = randomUUID();
    const out = await reasoner().assess(facts, pool, { usageDb: h.ctx.db.prisma, entityId: id });
    expect(out).toEqual({ ok: false, error: 'ollama answered HTTP 500 (after 3 attempts)' });
    expect(ollama.requests).toHaveLength(3);
    const rows = await usageRows(id);
    expect(rows.map((r) => [r.success, r.responseStatus])).toEqual([[false, 500], [false, 500], [false, 500]]);
    expect(rows[0]!.errorMessage).toBe('ollama answered HTTP 500: {"error":"model crashed"}');
  });

  it('recovers when a retry succeeds', async () => {
    ollama.answer = (_r, n) => (n === 1 ? { kind: 'raw', status: 503, body: 'loading' } : { kind: 'reply', response: good });
    const id = randomUUID();
    const out = await reasoner().assess(facts, pool, { usageDb: h.ctx.db.prisma, entityId: id });
    expect(out.ok && out.assessment.score).toBe(83);
    expect((await usageRows(id)).map((r) => [r.success, r.responseStatus])).toEqual([[false, 503], [true, 200]]);
  });

  it('a 4xx (e.g. unknown model) is not retried', async () => {
    ollama.answer = () => ({ kind: 'raw', status: 404, body: '{"error":"model \\"test-model\\" not found, try pulling it first"}' });
    const out = await reasoner().assess(facts, pool);
    expect(out).toEqual({ ok: false, error: 'ollama answered HTTP 404' });
    expect(ollama.requests).toHaveLength(1);
  });

  it('an unreachable server → RETRY; a dry run (no usage db) writes no rows', async () => {
    const before = await h.ctx.db.prisma.apiUsageLog.count();
    const out = await new OllamaReasoner({ url: 'http://127.0.0.1:1', model: 'm', timeoutMs: 500, retries: 1, backoffMs: 5 }).assess(facts, pool, { usageDb: null });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatch(/^ollama unreachable: .*\(after 2 attempts\)$/);
    expect(await h.ctx.db.prisma.apiUsageLog.count()).toBe(before);
  });

  it('is chosen only with OLLAMA_URL set and the configured mode', () => {
    const cfg = { OLLAMA_URL: ollama.url, OLLAMA_MODEL: 'llama3.2:3b', OLLAMA_TIMEOUT_MS: 60_000 };
    const r = createIntentReasoner(cfg, 'configured');
    expect(r).toBeInstanceOf(OllamaReasoner);
    expect(r.version).toBe('ollama:llama3.2:3b+permit-intent-prompt@1');
    expect(createIntentReasoner(cfg, 'rules')).toBe(rulesReasoner);
    expect(createIntentReasoner({ ...cfg, OLLAMA_URL: undefined }, 'configured')).toBe(rulesReasoner);
  });
});
