/** Reading Prometheus text exposition (a /metrics page): the samples of one metric, with their labels. */

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of `name` (exactly that name: `name_bucket` and friends are other metrics). */
export function samples(text: string, name: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let labelText = '';
    let valueText: string;
    if (rest.startsWith('{')) {
      const close = rest.lastIndexOf('}');
      if (close < 0) continue;
      labelText = rest.slice(1, close);
      valueText = rest.slice(close + 1);
    } else if (rest.startsWith(' ')) {
      valueText = rest;
    } else {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const match of labelText.matchAll(LABEL)) labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    // "value [timestamp]"
    found.push({ labels, value: Number(valueText.trim().split(/\s+/)[0]) });
  }
  return found;
}

/** The sum of `name` over the samples whose labels include `match`. */
export function sampleSum(text: string, name: string, match: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(match).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}
