/**
 * Every error an admin action can end in, by stable code, with the HTTP status the admin API will
 * answer it with and the exit code mailctl uses. docs/errors.md lists them (checked by a test).
 */
export const ADMIN_ERRORS = {
  ADMIN_ERR_BAD_DOMAIN: { http: 400, text: 'not a valid domain name' },
  ADMIN_ERR_BAD_ADDRESS: { http: 400, text: 'not a valid mail address' },
  ADMIN_ERR_WEAK_PASSWORD: { http: 400, text: 'password refused' },
  ADMIN_ERR_UNKNOWN_DOMAIN: { http: 404, text: 'domain is not hosted here' },
  ADMIN_ERR_UNKNOWN_USER: { http: 404, text: 'no such user' },
  ADMIN_ERR_DUPLICATE_USER: { http: 409, text: 'user already exists' },
} as const;

export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

export class AdminError extends Error {
  override name = 'AdminError';
  readonly code: AdminErrorCode;
  readonly httpStatus: number;

  constructor(code: AdminErrorCode, detail?: string) {
    super(detail === undefined ? ADMIN_ERRORS[code].text : `${detail}: ${ADMIN_ERRORS[code].text}`);
    this.code = code;
    this.httpStatus = ADMIN_ERRORS[code].http;
  }
}
