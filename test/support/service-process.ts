import { type NodeProcess, startNodeProcess } from './node-process.ts';
import { stack } from './stack.ts';

export type ServiceProcess = NodeProcess;

/**
 * Starts one more instance of a service against the stack's dbs and NATS, on OS-chosen ports, for
 * tests that need their own (other settings, or to SIGTERM it). Resolves once it is listening.
 */
export function startServiceProcess(service: 'smtp-ingest' | 'writer' | 'delivery', env: Record<string, string> = {}): Promise<ServiceProcess> {
  const { dbUrls, natsUrl } = stack();
  const listeners = (service === 'smtp-ingest' ? 2 : 1) + (env.MAILCLUSTER_SUBMISSION_LISTEN === undefined ? 0 : 1);
  return startNodeProcess(`services/${service}/src/main.ts`, [], {
    MAILCLUSTER_DB_URLS: dbUrls.join(','),
    MAILCLUSTER_NATS_URL: natsUrl.join(','),
    MAILCLUSTER_OPS_LISTEN: '127.0.0.1:0',
    MAILCLUSTER_SMTP_LISTEN: '127.0.0.1:0',
    ...env,
  }, listeners);
}
