import { MAX_USER_FOLDERS } from '@mailcluster/store';
/**
 * Every error the web tier answers with, by stable code, with its HTTP status and the text shown to
 * people. docs/errors.md lists them (checked by errors.test.ts); retired codes are never reused.
 */
export const WEB_ERRORS = {
  WEB_ERR_BAD_REQUEST: { http: 400, text: 'The request is not valid.' },
  WEB_ERR_BAD_ADDRESS: { http: 400, text: 'An address is not valid.' },
  WEB_ERR_NO_RECIPIENTS: { http: 400, text: 'Add at least one recipient.' },
  WEB_ERR_TOO_MANY_RECIPIENTS: { http: 400, text: 'Too many recipients.' },
  WEB_ERR_WEAK_PASSWORD: { http: 400, text: 'The new password was refused.' },
  WEB_ERR_BAD_FOLDER_NAME: { http: 400, text: 'Folder names need 1 to 100 printable characters.' },
  WEB_ERR_NOT_SIGNED_IN: { http: 401, text: 'Please sign in.' },
  WEB_ERR_BAD_CREDENTIALS: { http: 401, text: 'Wrong address or password.' },
  WEB_ERR_CSRF: { http: 403, text: 'The form has expired; reload the page and try again.' },
  WEB_ERR_FOREIGN_ORIGIN: { http: 403, text: 'Requests from other sites are not accepted.' },
  WEB_ERR_NOT_FOUND: { http: 404, text: 'Not found.' },
  WEB_ERR_UNKNOWN_FOLDER: { http: 404, text: 'There is no such folder.' },
  WEB_ERR_FOLDER_EXISTS: { http: 409, text: 'A folder with that name exists.' },
  WEB_ERR_TOO_MANY_FOLDERS: { http: 409, text: `You have ${MAX_USER_FOLDERS.toLocaleString('en')} folders, the most there can be: delete one first.` },
  WEB_ERR_UPLOAD_TOO_LARGE: { http: 413, text: 'The attachments are too large.' },
  WEB_ERR_UNSUPPORTED_MEDIA_TYPE: { http: 415, text: 'Unsupported content type.' },
  WEB_ERR_SEND_REFUSED: { http: 422, text: 'The mail server refused the message.' },
  WEB_ERR_THROTTLED: { http: 429, text: 'Too many failed sign-ins. Wait a while and try again.' },
  WEB_ERR_INTERNAL: { http: 500, text: 'Something went wrong on our side.' },
  WEB_ERR_UNAVAILABLE: { http: 503, text: 'The mail store is not reachable right now; try again shortly.' },
  WEB_ERR_SEND_UNAVAILABLE: { http: 503, text: 'The mail server is not reachable right now; your message was not sent.' },
} as const;

export type WebErrorCode = keyof typeof WEB_ERRORS;

export class WebError extends Error {
  override name = 'WebError';
  readonly code: WebErrorCode;
  readonly httpStatus: number;
  /** Shown to the person after the generic text (e.g. the mail server's reply); never HTML. */
  readonly detail: string | undefined;
  /** Seconds until trying again makes sense (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(code: WebErrorCode, detail?: string, options: { retryAfter?: number } = {}) {
    super(detail === undefined ? WEB_ERRORS[code].text : `${WEB_ERRORS[code].text} ${detail}`);
    this.code = code;
    this.httpStatus = WEB_ERRORS[code].http;
    this.detail = detail;
    this.retryAfter = options.retryAfter;
  }
}
