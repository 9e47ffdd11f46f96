/**
 * A sweep run every `periodMs` on this instance, one at a time (a run still under way when the next is
 * due is not doubled), never keeping the process alive, stopped before the database closes (cms/src/index.ts
 * `destroy`). Used by the children's import heartbeat (cms/src/domain/import/interrupted-jobs.ts) and the
 * export jobs' takeover (cms/src/api/export-job/services/export-job.ts).
 */
export type PeriodicSweep = {
  /** (Re)starts the sweep every `periodMs`; a sweep started before is stopped first. */
  start(periodMs: number): void;
  /** Stops the sweep and waits for a run under way. */
  stop(): Promise<void>;
};

export function periodicSweep(run: () => Promise<unknown>, onError: (error: unknown) => void): PeriodicSweep {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  return {
    start(periodMs) {
      if (timer) clearInterval(timer);
      timer = setInterval(() => {
        if (running) return;
        running = run().catch(onError).finally(() => { running = undefined; });
      }, periodMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
