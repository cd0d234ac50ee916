/**
 * The HTTP load of the web benchmark, run by runPinned on its own core: autocannon against one
 * pod, each request for a target drawn at random (a signed-in user's cookie and a path), so the
 * load spreads over many users' sessions and mailboxes.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface HttpLoadInput {
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; without it, as fast as the pod answers. */
  rate?: number;
  targets: { path: string; cookie: string }[];
}

export interface HttpLoadResult {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Anything but a 2xx, connection errors and timeouts: a run with any of them is not a figure. */
  failures: number;
}

const input = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as HttpLoadInput;
if (input.targets.length === 0) throw new Error('no targets');

const result = await autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.seconds,
  ...(input.rate === undefined ? {} : { overallRate: input.rate }),
  requests: [
    {
      setupRequest: (request) => {
        const target = input.targets[Math.floor(Math.random() * input.targets.length)] as HttpLoadInput['targets'][number];
        return { ...request, method: 'GET', path: target.path, headers: { ...request.headers, cookie: target.cookie } };
      },
    },
  ],
});

const output: HttpLoadResult = {
  requests: result.requests.total,
  perSecond: result.requests.total / input.seconds,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  failures: result.non2xx + result.errors + result.timeouts,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
