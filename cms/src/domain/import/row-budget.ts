/**
 * How many rows of imports one process works on at once (config/imports.json rowsAtOnce): an import
 * holds its rows' worth of the budget while it runs, and one that would go beyond it waits, in
 * arrival order, until enough is given back. Memory grows with an import's rows (its probes, keys
 * and hints), so two large imports at once would take the process past its memory cap; small ones
 * still run side by side. An import larger than the whole budget runs when nothing else does.
 */
export class RowBudget {
  private inFlight = 0;
  private running = 0;
  private readonly waiting: { rows: number; grant: () => void }[] = [];

  /** `limit()` is read at every decision: the budget follows its setting. */
  constructor(private readonly limit: () => number) {}

  /** Rows held by the imports running now. */
  get held(): number {
    return this.inFlight;
  }

  /** Resolves once `rows` may run (at once when they fit and nobody waits before them); the function gives them back (once). */
  async acquire(rows: number): Promise<() => void> {
    const wanted = Math.max(0, Number(rows) || 0);
    if (!this.waiting.length && this.fits(wanted)) this.take(wanted);
    else await new Promise<void>((grant) => this.waiting.push({ rows: wanted, grant }));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.inFlight -= wanted;
      this.running -= 1;
      this.grantWaiting();
    };
  }

  private fits(rows: number): boolean {
    return this.running === 0 || this.inFlight + rows <= this.limit();
  }

  private take(rows: number) {
    this.inFlight += rows;
    this.running += 1;
  }

  /** The waiting imports granted in arrival order, as long as the first of them fits (no overtaking). */
  private grantWaiting() {
    while (this.waiting.length && this.fits(this.waiting[0].rows)) {
      const next = this.waiting.shift()!;
      this.take(next.rows);
      next.grant();
    }
  }
}
