import { z } from 'zod';
import type { TConfig } from '../../config.ts';
import type { Db } from '../../platform/db.ts';
import { OutboundError, sendRequest } from '../../platform/http.ts';
import {
  assessPermitWithRules,
  INFO_FLAGS,
  PERMIT_INTENT_RULES_VERSION,
  REVIEW_FLAGS,
  type PermitClassification,
  type PermitFacts,
  type ReasonerOutcome,
} from './permit-intent.scorer.ts';

/**
 * The step of seed 001 scoring that may be an LLM: turn permit facts into score, reasoning, ideal buyer,
 * contact priority and flags. Rules by default (offline, deterministic); Ollama when OLLAMA_URL is set.
 * A reasoner never throws for a bad answer: it returns { ok: false, error } and the lead goes to RETRY.
 */
export interface AssessOptions {
  /** Where to write api_usage_logs rows; null for a dry run that must not touch the database. */
  usageDb?: Db | null;
  /** The permit being assessed, for the usage log. */
  entityId?: string | null;
  signal?: AbortSignal;
}

export interface IntentReasoner {
  readonly kind: 'rules' | 'ollama';
  readonly version: string;
  /** Permits assessed at once; an LLM on a small machine wants few. */
  readonly concurrency: number;
  assess(facts: PermitFacts, c: PermitClassification, opts?: AssessOptions): Promise<ReasonerOutcome>;
}

export const rulesReasoner: IntentReasoner = {
  kind: 'rules',
  version: PERMIT_INTENT_RULES_VERSION,
  concurrency: 1,
  async assess(facts, c) {
    return { ok: true, assessment: assessPermitWithRules(facts, c) };
  },
};

export const OLLAMA_PROMPT_VERSION = 'permit-intent-prompt@1';

/** The JSON object the model must answer with (Ollama `format: 'json'` only promises JSON, not this shape). */
export const ZOllamaAssessment = z.object({
  score: z.number().int().min(0).max(100),
  reasoning: z.string().trim().min(1).max(2000),
  ideal_contractor: z.string().trim().min(1).max(255),
  contact_priority: z.enum(['call', 'email', 'skip']),
  flags: z.array(z.string().max(100)).max(20),
});

/** Ollama's /api/generate answer with stream: false; only `response` matters, the counts go to the usage log. */
const ZGenerateResponse = z.object({
  response: z.string(),
  done: z.boolean().optional(),
  model: z.string().optional(),
  total_duration: z.number().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});

const usdOrUnknown = (n: number | null | undefined) => (n == null ? 'unknown' : `$${Math.round(n).toLocaleString('en-US')}`);

/**
 * The prompt carries facts, not identities: no owner name, no street address (the model needs neither to
 * judge intent, and nothing personal leaves the machine). The permit description is passed as a JSON string
 * so it reads as data; whatever it says, the answer is still schema-checked.
 */
export function buildOllamaPrompt(f: PermitFacts, c: PermitClassification): string {
  const facts = {
    trade_group: c.tradeGroup,
    category: c.category,
    permit_type: f.permitType ?? null,
    permit_class: f.permitClass ?? null,
    description: f.description ?? null,
    project_value: usdOrUnknown(f.value),
    days_since_filed: f.daysOld ?? null,
    property_market_value: usdOrUnknown(f.marketValue),
    absentee_owner: f.isAbsentee ?? null,
    owner_on_record: !!f.ownerName?.trim(),
    city: f.city ?? null,
    state: f.state ?? null,
  };
  return [
    'You rate building permits as sales leads for home-service contractors.',
    'Score 0-100 how likely the property owner is to buy from a contractor of this trade soon.',
    'Tiers: 80-100 hot (call now), 50-79 warm (email within 24 hours), 0-49 cool.',
    `Flags name concerns a human should check; use these names when they apply: ${[...REVIEW_FLAGS, ...INFO_FLAGS].join(', ')}.`,
    'Answer with one JSON object and nothing else, exactly these keys:',
    '{"score": <integer 0-100>, "reasoning": "<one or two sentences>", "ideal_contractor": "<who should buy this lead>", "contact_priority": "call" | "email" | "skip", "flags": ["<flag>", ...]}',
    `Permit facts (JSON): ${JSON.stringify(facts)}`,
  ].join('\n');
}

export interface OllamaOptions {
  url: string;
  model: string;
  timeoutMs: number;
  retries?: number;
  backoffMs?: number;
  concurrency?: number;
}

export class OllamaReasoner implements IntentReasoner {
  readonly kind = 'ollama' as const;
  readonly version: string;
  readonly concurrency: number;
  private readonly endpoint: string;

  constructor(private readonly o: OllamaOptions) {
    this.version = `ollama:${o.model}+${OLLAMA_PROMPT_VERSION}`;
    this.concurrency = o.concurrency ?? 1;
    this.endpoint = new URL('api/generate', o.url.endsWith('/') ? o.url : `${o.url}/`).toString();
  }

  async assess(facts: PermitFacts, c: PermitClassification, opts: AssessOptions = {}): Promise<ReasonerOutcome> {
    let text: string;
    try {
      const res = await sendRequest({
        provider: 'ollama',
        url: this.endpoint,
        method: 'POST',
        // Ollama's documented non-streaming JSON mode; temperature 0 so a rescore of the same facts agrees.
        json: { model: this.o.model, prompt: buildOllamaPrompt(facts, c), format: 'json', stream: false, options: { temperature: 0 } },
        timeoutMs: this.o.timeoutMs,
        retries: this.o.retries ?? 2,
        backoffMs: this.o.backoffMs ?? 1000,
        signal: opts.signal,
        usage: opts.usageDb
          ? {
              db: opts.usageDb,
              service: 'scoring',
              entityType: 'permit',
              entityId: opts.entityId ?? null,
              requestParams: { model: this.o.model, prompt: OLLAMA_PROMPT_VERSION },
              cost: 0, // a local model: no per-call charge, latency is what matters
              describe: (t) => {
                const r = ZGenerateResponse.safeParse(safeJson(t));
                return r.success ? { model: r.data.model, prompt_eval_count: r.data.prompt_eval_count, eval_count: r.data.eval_count, total_duration_ns: r.data.total_duration } : undefined;
              },
            }
          : null,
      });
      text = res.text;
    } catch (err) {
      if (err instanceof OutboundError) return { ok: false, error: err.message };
      return { ok: false, error: `ollama request failed: ${(err as Error).message}` };
    }
    return parseOllamaAnswer(text);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Envelope → `response` (a JSON string) → the assessment schema; any mismatch is an error, never a guess. */
export function parseOllamaAnswer(body: string): ReasonerOutcome {
  const env = ZGenerateResponse.safeParse(safeJson(body));
  if (!env.success) return { ok: false, error: 'ollama answer is not a /api/generate response' };
  const inner = safeJson(env.data.response);
  if (inner === undefined) return { ok: false, error: `ollama response is not valid JSON: ${JSON.stringify(env.data.response.slice(0, 120))}` };
  const a = ZOllamaAssessment.safeParse(inner);
  if (!a.success) {
    const why = a.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, error: `ollama response does not match the schema: ${why}` };
  }
  return {
    ok: true,
    assessment: {
      score: a.data.score,
      reasoning: a.data.reasoning,
      idealContractor: a.data.ideal_contractor,
      contactPriority: a.data.contact_priority,
      flags: a.data.flags,
    },
  };
}

/**
 * `configured`: Ollama when OLLAMA_URL is set, else rules (score-leads --reasoner, the retry job).
 * `rules`: always the offline rules (score-leads without --reasoner).
 */
export function createIntentReasoner(config: Pick<TConfig, 'OLLAMA_URL' | 'OLLAMA_MODEL' | 'OLLAMA_TIMEOUT_MS'>, mode: 'configured' | 'rules'): IntentReasoner {
  if (mode === 'configured' && config.OLLAMA_URL) {
    return new OllamaReasoner({ url: config.OLLAMA_URL, model: config.OLLAMA_MODEL, timeoutMs: config.OLLAMA_TIMEOUT_MS });
  }
  return rulesReasoner;
}
