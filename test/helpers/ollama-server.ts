import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server speaking Ollama's POST /api/generate (non-streaming): tests set `answer` to decide what each
 * request gets — a model reply, a raw body, an HTTP status, or a delay past the client's timeout.
 */
export interface GenerateRequest {
  model: string;
  prompt: string;
  format?: unknown;
  stream?: boolean;
  options?: Record<string, unknown>;
}

export type Answer =
  | { kind: 'reply'; response: unknown; delayMs?: number }
  | { kind: 'raw'; status: number; body: string; delayMs?: number };

export interface FakeOllama {
  url: string;
  requests: GenerateRequest[];
  answer: (req: GenerateRequest, n: number) => Answer;
  close(): Promise<void>;
}

/** The reply Ollama sends with stream: false; `response` is the model's text (here: JSON as a string). */
export function generateEnvelope(model: string, response: string) {
  return {
    model,
    created_at: '2026-11-22T06:00:00.000Z',
    response,
    done: true,
    done_reason: 'stop',
    total_duration: 1_234_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: 210,
    eval_count: 48,
  };
}

export async function startFakeOllama(): Promise<FakeOllama> {
  const fake: FakeOllama = {
    url: '',
    requests: [],
    answer: () => ({ kind: 'raw', status: 500, body: '{"error":"no answer configured"}' }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/generate') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const body = JSON.parse(raw) as GenerateRequest;
      fake.requests.push(body);
      const a = fake.answer(body, fake.requests.length);
      const send = () => {
        if (res.destroyed) return;
        if (a.kind === 'reply') {
          const text = typeof a.response === 'string' ? a.response : JSON.stringify(a.response);
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(generateEnvelope(body.model, text)));
        } else {
          res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
        }
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
