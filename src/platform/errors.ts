/**
 * One error type with stable codes; one table from code to HTTP status. Routes never invent statuses:
 * a service throws AppError('LEAD_ALREADY_SOLD', …) and the error handler answers problem+json.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  REFRESH_TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  NOT_TERRITORY_HOLDER: 403,
  NOT_CLUSTER_HOLDER: 403,
  PRIORITY_WINDOW: 403,
  QUOTA_EXCEEDED: 403,
  CONTRACTOR_INACTIVE: 403,
  NOT_FOUND: 404,
  LEAD_NOT_FOUND: 404,
  CONTRACTOR_NOT_FOUND: 404,
  TERRITORY_NOT_FOUND: 404,
  CLUSTER_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  TERRITORY_TAKEN: 409,
  TERRITORY_SHARED: 409,
  TIER_NOT_ALLOWED: 403,
  CLUSTER_TAKEN: 409,
  LEAD_ALREADY_SOLD: 409,
  LEAD_NOT_AVAILABLE: 409,
  LEAD_EXISTS: 409,
  INVALID_TRANSITION: 409,
  LEAD_NOT_PUBLISHABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  JOB_NOT_RETRYABLE: 409,
  JOB_NOT_CANCELLABLE: 409,
  SCHEDULE_NOT_IMPLEMENTED: 409,
  RATE_LIMITED: 429,
  /** An HTML portal or assessor page no longer has the configured elements (its layout changed). */
  HTML_SELECTOR_NOT_FOUND: 502,
  /** robots.txt of the site disallows the URL for our user agent (or is unreachable: RFC 9309 complete disallow). */
  ROBOTS_DISALLOWED: 403,
  /** target_cities row for the requested city/state does not exist. */
  CITY_NOT_FOUND: 404,
  /** The city has no permit_source configured. */
  CITY_NOT_CONFIGURED: 422,
  /** The city's permit_source JSON fails ZPermitSourceConfig; the message names the bad field path. */
  CITY_SOURCE_INVALID: 422,
  /** A permit source (portal, FeatureServer, file) failed or answered something unusable. */
  SOURCE_FAILED: 502,
  /** The configured source kind has no client in this build. */
  SOURCE_NOT_SUPPORTED: 422,
  /** A geocoding provider refused the configured key (Google REQUEST_DENIED, Mapbox 401/403). */
  GEOCODER_DENIED: 502,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  /** CHROMIUM_PATH is missing or Chromium would not start. */
  BROWSER_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, opts: { message?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(opts.message ?? code.toLowerCase().replaceAll('_', ' '), { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = opts.details;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
