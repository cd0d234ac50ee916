/**
 * Every error an admin action can end in, by stable code, with the HTTP status the admin API
 * answers it with (mailctl exits 1 with the code in its message). docs/errors.md lists them
 * (checked by a test); a retired code is never reused.
 */
export const ADMIN_ERRORS = {
  ADMIN_ERR_BAD_REQUEST: { http: 400, text: 'request not valid' },
  ADMIN_ERR_BAD_DOMAIN: { http: 400, text: 'not a valid domain name' },
  ADMIN_ERR_BAD_ADDRESS: { http: 400, text: 'not a valid mail address' },
  ADMIN_ERR_WEAK_PASSWORD: { http: 400, text: 'password refused' },
  ADMIN_ERR_BAD_QUOTA: { http: 400, text: 'not a quota (bytes, or a number with K, M, G or T)' },
  ADMIN_ERR_BAD_HASH: { http: 400, text: 'not an argon2 password hash (PHC string)' },
  ADMIN_ERR_BAD_ADMIN_NAME: { http: 400, text: 'admin names are 1 to 64 of a-z 0-9 . _ @ -' },
  ADMIN_ERR_BAD_CSV: { http: 400, text: 'not a user CSV file' },
  ADMIN_ERR_NOT_SIGNED_IN: { http: 401, text: 'sign in as an admin, or send an API token' },
  ADMIN_ERR_BAD_CREDENTIALS: { http: 401, text: 'wrong admin name or password' },
  ADMIN_ERR_FORBIDDEN: { http: 403, text: 'this admin may only read' },
  ADMIN_ERR_UNKNOWN_DOMAIN: { http: 404, text: 'domain is not hosted here' },
  ADMIN_ERR_UNKNOWN_USER: { http: 404, text: 'no such user' },
  ADMIN_ERR_UNKNOWN_ALIAS: { http: 404, text: 'no such alias' },
  ADMIN_ERR_UNKNOWN_ADMIN: { http: 404, text: 'no such admin' },
  ADMIN_ERR_UNKNOWN_TOKEN: { http: 404, text: 'no such token' },
  ADMIN_ERR_UNKNOWN_DELIVERY: { http: 404, text: 'no queued delivery has that id' },
  ADMIN_ERR_DUPLICATE_USER: { http: 409, text: 'user already exists' },
  ADMIN_ERR_DUPLICATE_ADMIN: { http: 409, text: 'admin already exists' },
  ADMIN_ERR_ADDRESS_TAKEN: { http: 409, text: 'address is already a user or an alias' },
  ADMIN_ERR_DOMAIN_HAS_USERS: { http: 409, text: 'domain still has users (remove them, or force)' },
  ADMIN_ERR_EXTERNAL_FORWARD: { http: 422, text: 'forwarding outside the hosted domains needs outbound delivery, which is not enabled for it' },
  ADMIN_ERR_THROTTLED: { http: 429, text: 'too many failed sign-ins, try again later' },
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: AdminErrorCode;
  readonly httpStatus: number;
  /** Seconds until trying again makes sense (429). */
  readonly retryAfter: number | undefined;

  constructor(code: AdminErrorCode, detail?: string, options: { retryAfter?: number } = {}) {
    super(detail === undefined ? ADMIN_ERRORS[code].text : `${detail}: ${ADMIN_ERRORS[code].text}`);
    this.code = code;
    this.httpStatus = ADMIN_ERRORS[code].http;
    this.retryAfter = options.retryAfter;
  }
}
