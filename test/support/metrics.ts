/** The value of one Prometheus sample from a /metrics page, summed over label sets that match. */
export async function metricValue(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/** The writers of the local stack serve their metrics here. */
export const WRITER_OPS_PORTS = [9102, 9103];
export const INGEST_OPS_PORT = 9101;
export const WEB_OPS_PORT = 9104;
export const DELIVERY_OPS_PORT = 9105;

export async function writersMetric(name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const port of WRITER_OPS_PORTS) sum += await metricValue(port, name, labels);
  return sum;
}
