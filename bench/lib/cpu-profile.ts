import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading a V8 CPU profile (`node --cpu-prof`): where the time went, by function and by file.
 * `BENCH_CPU_PROF_DIR=<dir> npm run bench -- <name>` runs the process a benchmark measures (the
 * smtp-ingest, the web pod, the operator) under --cpu-prof and prints this summary after it.
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  /** `function (file:line)`, or a file, or one of V8's own entries such as `(garbage collector)`. */
  name: string;
  selfMs: number;
  /** Of the busy time (everything but idle). */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  functions: HotSpot[];
  files: HotSpot[];
}

/**
 * Self time per function and per file, the most first. A sample's time is the gap to the next
 * sample (as Chrome DevTools counts it); file URLs are shown relative to `root`.
 */
export function summarizeProfile(profile: CpuProfile, root: string, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const file = frame.url === '' ? '' : frame.url.replace(/^file:\/\//, '').replace(`${root.replace(/\/$/, '')}/`, '');
    const name = file === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(file === '' ? name : file, (files.get(file === '' ? name : file) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const ranked = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, share: busyUs === 0 ? 0 : us / busyUs }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, functions: ranked(functions), files: ranked(files) };
}

/** Where the measured process writes its CPU profile (BENCH_CPU_PROF_DIR); undefined: no profiling. */
export function profileDir(): string | undefined {
  return process.env.BENCH_CPU_PROF_DIR;
}

/** `node` arguments that profile into BENCH_CPU_PROF_DIR when it is set. */
export function profileArgs(): string[] {
  const dir = profileDir();
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** The summary of the newest profile in BENCH_CPU_PROF_DIR, as lines to print; none when not profiling. */
export function profileSummary(root: string): string[] {
  const dir = profileDir();
  if (dir === undefined) return [];
  const newest = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().at(-1);
  if (newest === undefined) return [`no CPU profile in ${dir}`];
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, newest), 'utf8')) as CpuProfile, root);
  const lines = [`CPU profile ${join(dir, newest)}: ${(summary.busyMs / 1000).toFixed(1)} s busy of ${(summary.totalMs / 1000).toFixed(1)} s`];
  for (const [title, spots] of [['functions', summary.functions], ['files', summary.files]] as const) {
    lines.push(`  by ${title} (self time):`);
    for (const spot of spots) lines.push(`    ${(spot.share * 100).toFixed(1).padStart(5)} %  ${spot.selfMs.toFixed(0).padStart(7)} ms  ${spot.name}`);
  }
  return lines;
}
