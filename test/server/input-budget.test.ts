import { describe, expect, it } from 'vitest';
import { InputBudget } from '../../src/server/input-budget.js';

describe('InputBudget (the shared buffered-input limit)', () => {
  it('takes up to the limit, refuses past it without taking anything, and takes again after a release', () => {
    const budget = new InputBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(40)).toBe(true);
    expect(budget.held).toBe(100);
    expect(budget.take(1)).toBe(false);
    expect(budget.held).toBe(100);
    budget.release(30);
    expect(budget.held).toBe(70);
    expect(budget.take(31)).toBe(false);
    expect(budget.take(30)).toBe(true);
    expect(budget.limit).toBe(100);
  });
});
