import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined for a network error. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown; statusCode?: unknown } | null)?.code ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (error: unknown): boolean => httpStatus(error) === 404;
export const isAlreadyExists = (error: unknown): boolean => httpStatus(error) === 409;

/** A short, log-friendly description of an API error (the server's message, not the whole body). */
export function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: unknown } | string | undefined;
    const message = typeof body === 'string' ? tryMessage(body) : typeof body?.message === 'string' ? body.message : undefined;
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function tryMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 300);
  } catch {
    return body.slice(0, 300);
  }
}
