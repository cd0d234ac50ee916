/**
 * What every benchmark in bench/ is: a named module that measures, prints as it goes, and returns
 * its figures, each with the peer it is compared against (measured in the same run) and the goal
 * of issue 9 it answers. `bench/run.ts` runs them one after another and prints the summary table.
 */
export interface BenchContext {
  /** CI smoke: small inputs and one short run each, to prove the benchmark works, not to measure. */
  quick: boolean;
  /** The repository root. */
  repo: string;
  /** Progress and figures as they come: one line each, prefixed with the benchmark's name. */
  log: (line: string) => void;
}

/** A goal from issue 9, on the figure's value or on its ratio to the peer. */
export interface Goal {
  on: 'value' | 'ratio';
  at: 'least' | 'most';
  target: number;
}

export interface Figure {
  /** What was measured, e.g. "SMTP accept, 5 KB plain". */
  name: string;
  value: number;
  unit: string;
  /** The same work done by the reference, in the same run: Postfix, smtp-sink, a raw SQL query… */
  peer?: { name: string; value: number };
  goal?: Goal;
  /** What the reader must know to read it right (durability of each side, a load that ran beside it…). */
  note?: string;
}

export interface Benchmark {
  /** Short name, used on the command line: `npm run bench -- smtp-accept`. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

export function ratio(figure: Figure): number | undefined {
  return figure.peer === undefined || figure.peer.value === 0 ? undefined : figure.value / figure.peer.value;
}

/** Whether a figure meets its goal; undefined without a goal (or a ratio goal without a peer). */
export function meetsGoal(figure: Figure): boolean | undefined {
  if (figure.goal === undefined) return undefined;
  const measured = figure.goal.on === 'value' ? figure.value : ratio(figure);
  if (measured === undefined) return undefined;
  return figure.goal.at === 'least' ? measured >= figure.goal.target : measured <= figure.goal.target;
}
