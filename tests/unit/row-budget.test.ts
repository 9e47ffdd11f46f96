/**
 * The rows of imports one process runs at once (cms/src/domain/import/row-budget.ts): imports that fit
 * run side by side, one that would go beyond waits until enough is given back, the waiting ones go in
 * arrival order (a small one does not overtake a large one), and an import larger than the whole
 * budget runs alone rather than never.
 */
import { RowBudget } from '../../cms/src/domain/import/row-budget';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** acquire(rows), with a flag that says when it was granted. */
function ask(budget: RowBudget, rows: number) {
  const state = { granted: false, release: (() => undefined) as () => void };
  const done = budget.acquire(rows).then((release) => { state.granted = true; state.release = release; });
  return Object.assign(state, { done });
}

test('imports that fit run at once, side by side', async () => {
  const budget = new RowBudget(() => 100_000);
  const a = ask(budget, 20_000);
  const b = ask(budget, 20_000);
  await tick();
  expect([a.granted, b.granted]).toEqual([true, true]);
  expect(budget.held).toBe(40_000);
  a.release();
  b.release();
  expect(budget.held).toBe(0);
});

test('an import that would go beyond the budget waits until the running one gives its rows back', async () => {
  const budget = new RowBudget(() => 100_000);
  const first = ask(budget, 100_000);
  await tick();
  const second = ask(budget, 100_000);
  await tick();
  expect(first.granted).toBe(true);
  expect(second.granted).toBe(false);
  first.release();
  await second.done;
  expect(second.granted).toBe(true);
  expect(budget.held).toBe(100_000);
  // giving back twice gives back once
  first.release();
  expect(budget.held).toBe(100_000);
  second.release();
  expect(budget.held).toBe(0);
});

test('the waiting imports go in arrival order: a small one does not overtake a large one before it', async () => {
  const budget = new RowBudget(() => 100_000);
  const running = ask(budget, 60_000);
  await tick();
  const large = ask(budget, 80_000);
  const small = ask(budget, 10_000); // would fit now, but the large one came first
  await tick();
  expect([large.granted, small.granted]).toEqual([false, false]);
  running.release();
  await Promise.all([large.done, small.done]);
  // once the large one runs, the small one fits beside it
  expect(budget.held).toBe(90_000);
  large.release();
  small.release();
});

test('an import larger than the whole budget runs when nothing else does, and the next waits for it', async () => {
  const budget = new RowBudget(() => 1_000);
  const huge = ask(budget, 5_000);
  await tick();
  expect(huge.granted).toBe(true);
  const next = ask(budget, 10);
  await tick();
  expect(next.granted).toBe(false);
  huge.release();
  await next.done;
  expect(budget.held).toBe(10);
  next.release();
});

test('the budget follows its setting at every decision', async () => {
  let limit = 10;
  const budget = new RowBudget(() => limit);
  const first = ask(budget, 10);
  const second = ask(budget, 10);
  await tick();
  expect(second.granted).toBe(false);
  limit = 100;
  const third = ask(budget, 10); // waits behind the second (arrival order)
  await tick();
  expect(third.granted).toBe(false);
  first.release(); // both waiting ones now fit under the new limit
  await Promise.all([second.done, third.done]);
  expect(budget.held).toBe(20);
});
