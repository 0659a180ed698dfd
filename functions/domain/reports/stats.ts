/**
 * Did the message make people buy, or would they have bought anyway? Relance
 * answers by keeping a random "holdout" group of contacts out of a campaign and
 * comparing what each group did. This module holds the arithmetic of that
 * comparison: confidence intervals for rates and for the difference between two
 * rates, a significance test, an interval for a difference in average revenue,
 * the smallest lift a campaign of a given size can see, and a plain-words verdict.
 *
 * Everything here is exact closed-form or numerically converged arithmetic on
 * numbers (no sampling, no randomness, no I/O), so the same inputs always give
 * the same report.
 *
 * Words used throughout:
 * - a "rate" is a share of a group, between 0 and 1 (0.05 = 5 %);
 * - a "difference" or "lift" is treated rate minus holdout rate, in the same
 *   units (0.02 = 2 percentage points);
 * - a 95 % "confidence interval" is the range of true values the data are
 *   compatible with: computed this way, such ranges contain the truth 95 times
 *   in 100.
 */

import { normalCdf, normalQuantile, studentTCdf, studentTQuantile, twoSidedZ } from './distributions';

/** The distributions, for whoever reads the statistics from here. */
export { normalCdf, normalQuantile, studentTCdf, studentTQuantile };

// ---------------------------------------------------------------------------
// Proportions

/** A rate with its confidence interval, all between 0 and 1. */
export interface RateInterval {
  /** successes / n. */
  rate: number;
  low: number;
  high: number;
}

/** A difference between two rates (first minus second) with its confidence interval, between −1 and 1. */
export interface DifferenceInterval {
  difference: number;
  low: number;
  high: number;
}

const checkCounts = (successes: number, n: number): void => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`group size must be a whole number ≥ 0: ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes must be a whole number between 0 and ${n}: ${successes}`);
  }
};

/** Wilson's interval for x ≤ n/2: the upper root directly, the lower from the product of the roots. */
const wilsonLowerHalf = (x: number, n: number, z: number): { low: number; high: number } => {
  const z2 = z * z;
  const p = x / n;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const high = centre + half;
  // The bounds are the roots of (n + z²)π² − (2x + z²)π + x²/n = 0, whose product is
  // x² / (n(n + z²)): dividing avoids the cancellation of centre − half for rare events.
  const low = x === 0 ? 0 : (x * x) / (n * (n + z2) * high);
  return { low, high };
};

/**
 * Wilson's score interval for a rate: of `n` people, `successes` did the thing
 * (redeemed, bought…); the rate is successes / n and the interval is where the
 * true rate plausibly lies. Unlike the textbook "rate ± 1.96 × standard error"
 * it stays inside [0, 1] and behaves well for small groups and for rates near
 * 0 or 1 (0 successes still gives an upper bound above 0).
 *
 * E. B. Wilson, "Probable inference, the law of succession, and statistical
 * inference", J. Am. Stat. Assoc. 22 (1927) 209–212; method 3 of R. G. Newcombe,
 * Stat. Med. 17 (1998) 857–872.
 *
 * Returns undefined for an empty group (n = 0): there is no rate to estimate.
 */
export const wilson = (successes: number, n: number, confidence = 0.95): RateInterval | undefined => {
  checkCounts(successes, n);
  const z = twoSidedZ(confidence);
  if (n === 0) return undefined;
  const rate = successes / n;
  if (successes * 2 <= n) return { rate, ...wilsonLowerHalf(successes, n, z) };
  // Mirror image of the failures' interval, so the bound near 1 is as accurate as the one near 0.
  const failures = wilsonLowerHalf(n - successes, n, z);
  return { rate, low: 1 - failures.high, high: 1 - failures.low };
};

/**
 * The difference between two rates, x1/n1 − x2/n2 (typically treated minus
 * holdout: the lift), with Newcombe's "hybrid score" interval: it combines the
 * two groups' {@link wilson} intervals, each side of the difference taking the
 * relevant half of each:
 *
 *   low  = d − √((p1 − low1)² + (high2 − p2)²)
 *   high = d + √((high1 − p1)² + (p2 − low2)²)
 *
 * It has close to the stated coverage even for small groups or rates near 0,
 * where "difference ± 1.96 × standard error" is far too narrow.
 *
 * R. G. Newcombe, "Interval estimation for the difference between independent
 * proportions: comparison of eleven methods", Stat. Med. 17 (1998) 873–890, method 10.
 *
 * Returns undefined when either group is empty.
 */
export const newcombeDifference = (
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  confidence = 0.95,
): DifferenceInterval | undefined => {
  const first = wilson(x1, n1, confidence);
  const second = wilson(x2, n2, confidence);
  if (!first || !second) return undefined;
  const difference = first.rate - second.rate;
  const low = difference - Math.hypot(first.rate - first.low, second.high - second.rate);
  const high = difference + Math.hypot(first.high - first.rate, second.rate - second.low);
  return { difference, low: Math.max(-1, low), high: Math.min(1, high) };
};

/**
 * The classic test of whether two rates differ: z is the difference x1/n1 − x2/n2
 * divided by its standard error under "no difference" (both groups pooled into
 * one rate p: √(p(1 − p)(1/n1 + 1/n2))), and the two-sided p-value is the chance
 * of a difference at least this large, either way, if the message did nothing.
 * A p-value below 0.05 is the usual bar for "significant". z² is Pearson's
 * chi-square statistic of the 2 × 2 table (without continuity correction).
 *
 * When nobody, or everybody, in both groups succeeded there is no variation to
 * test: z = 0 and pValue = 1. Returns undefined when either group is empty.
 */
export const twoProportionZTest = (
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): { z: number; pValue: number } | undefined => {
  checkCounts(x1, n1);
  checkCounts(x2, n2);
  if (n1 === 0 || n2 === 0) return undefined;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
};

// ---------------------------------------------------------------------------
// Means (revenue per person)

/** What the interval for a difference in means needs from each group. */
export interface SampleSummary {
  /** How many values (people). */
  n: number;
  /** Their average. */
  mean: number;
  /** Their sample variance (divided by n − 1): the square of the standard deviation. */
  variance: number;
}

/**
 * Count, average and sample variance of a stream of values, updated one value at
 * a time (Welford's method), so that revenue per person over a whole campaign
 * is summarized without holding every value in memory, and without the loss of
 * digits of the "sum of squares" shortcut when values are large and close together.
 *
 * B. P. Welford, "Note on a method for calculating corrected sums of squares
 * and products", Technometrics 4 (1962) 419–420.
 */
export class RunningStats implements SampleSummary {
  #n = 0;
  #mean = 0;
  #m2 = 0;

  /** Adds one value (a finite number; anything else is a bug upstream and throws). */
  add(x: number): this {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    this.#n += 1;
    const delta = x - this.#mean;
    this.#mean += delta / this.#n;
    this.#m2 += delta * (x - this.#mean);
    return this;
  }

  /** How many values were added. */
  get n(): number {
    return this.#n;
  }

  /** Their average; NaN before the first value. */
  get mean(): number {
    return this.#n === 0 ? Number.NaN : this.#mean;
  }

  /** Their sample variance (divided by n − 1); NaN with fewer than two values. */
  get variance(): number {
    return this.#n < 2 ? Number.NaN : this.#m2 / (this.#n - 1);
  }
}

/**
 * Count, average and sample variance (divided by n − 1) of some values, in one
 * pass (see {@link RunningStats}). The mean is NaN for no values and the
 * variance NaN for fewer than two.
 */
export const summarize = (values: Iterable<number>): SampleSummary => {
  const stats = new RunningStats();
  for (const value of values) stats.add(value);
  return { n: stats.n, mean: stats.mean, variance: stats.variance };
};

/**
 * The difference between two averages, mean(a) − mean(b) (typically revenue per
 * treated person minus revenue per holdout person), with Welch's confidence
 * interval: difference ± t × √(var_a/n_a + var_b/n_b), t from the Student t
 * distribution with the Welch–Satterthwaite degrees of freedom
 *
 *   df = (var_a/n_a + var_b/n_b)² / ((var_a/n_a)²/(n_a − 1) + (var_b/n_b)²/(n_b − 1)).
 *
 * It does not assume the two groups spread equally (a campaign usually changes
 * the spread of revenue as well as its average). It assumes averages of that
 * many people are roughly bell-shaped, which holds for large groups even when
 * most people spend nothing; with a handful of big spenders in a small group,
 * treat it as indicative.
 *
 * B. L. Welch, "The generalization of 'Student's' problem when several different
 * population variances are involved", Biometrika 34 (1947) 28–35; F. E.
 * Satterthwaite, Biometrics Bulletin 2 (1946) 110–114.
 *
 * When both variances are 0 the interval is the difference itself and df is
 * n_a + n_b − 2 (by convention: Welch's formula is 0/0 there). Returns undefined
 * when either group has fewer than two values: there is no spread to measure.
 */
export const welchDifference = (
  a: SampleSummary,
  b: SampleSummary,
  confidence = 0.95,
): (DifferenceInterval & { df: number }) | undefined => {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1): ${confidence}`);
  for (const s of [a, b]) {
    if (!(s.variance >= 0) && s.n >= 2) throw new RangeError(`variance must be ≥ 0: ${s.variance}`);
  }
  if (!(a.n >= 2 && b.n >= 2)) return undefined;
  const difference = a.mean - b.mean;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se2 = va + vb;
  if (se2 === 0) return { difference, low: difference, high: difference, df: a.n + b.n - 2 };
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * Math.sqrt(se2);
  return { difference, low: difference - half, high: difference + half, df };
};

// ---------------------------------------------------------------------------
// Planning and verdict

/**
 * The smallest lift (absolute difference in rates, 0.02 = 2 points) a campaign
 * with these group sizes detects with probability `power` (80 % by default),
 * using a two-sided test at level `alpha` (5 %). Anything smaller may well be
 * real but will usually look like chance.
 *
 * Normal approximation with the same variance in both groups, the one taken at
 * `baseRate`, the rate expected without the message (the holdout's rate, or both
 * groups pooled):
 *
 *   (z_{1−α/2} + z_power) × √(p(1 − p)(1/nTreated + 1/nHoldout))
 *
 * (2.80 standard errors at the defaults). It is a planning figure, good when
 * each group has at least a handful of successes; at a base rate of exactly 0
 * or 1 it gives 0, which means "the approximation has nothing to go on", not
 * "any lift is visible". Infinity when a group is empty.
 */
export const minimumDetectableLift = (
  baseRate: number,
  nTreated: number,
  nHoldout: number,
  alpha = 0.05,
  power = 0.8,
): number => {
  if (!(baseRate >= 0 && baseRate <= 1)) throw new RangeError(`baseRate must be in [0, 1]: ${baseRate}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1): ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1): ${power}`);
  if (!(nTreated >= 0 && nHoldout >= 0))
    throw new RangeError(`group sizes must be ≥ 0: ${nTreated}, ${nHoldout}`);
  if (nTreated === 0 || nHoldout === 0) return Number.POSITIVE_INFINITY;
  const multiplier = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return multiplier * Math.sqrt(baseRate * (1 - baseRate) * (1 / nTreated + 1 / nHoldout));
};

/** What a report says about a campaign's lift; see {@link liftVerdict}. */
export type LiftVerdict = 'significant' | 'not_significant' | 'too_small_to_tell';

/** Below this many people in either group no verdict other than "too small to tell" is given. */
export const MIN_GROUP_SIZE = 30;

/**
 * A campaign whose minimum detectable lift is at most this (5 percentage points)
 * is big enough for "not significant" to mean something, whatever it observed.
 */
export const MEANINGFUL_LIFT_FLOOR = 0.05;

/** The evidence {@link liftVerdict} weighs, all for the same pair of groups. */
export interface LiftEvidence {
  /** {@link newcombeDifference} of treated against holdout (undefined when a group is empty). */
  interval: DifferenceInterval | undefined;
  /** {@link twoProportionZTest}'s p-value (undefined when a group is empty). */
  pValue: number | undefined;
  /** {@link minimumDetectableLift} for these group sizes. */
  minimumDetectableLift: number;
  /** People in the treated group. */
  nTreated: number;
  /** People in the holdout group. */
  nHoldout: number;
}

/**
 * One word for the marketer, from the evidence about a lift. The rule, in order:
 *
 * 1. `significant`: the confidence interval of the difference excludes 0 and the
 *    p-value is below `alpha` (0.05, matching a 95 % interval). The two nearly
 *    always agree; when they do not, the result is borderline and no lift is claimed.
 * 2. `too_small_to_tell`: otherwise, when either group has fewer than
 *    {@link MIN_GROUP_SIZE} (30) people, when a figure is missing, or when the
 *    minimum detectable lift is larger than max(2 × |observed difference|,
 *    {@link MEANINGFUL_LIFT_FLOOR}): the campaign could not even have reliably
 *    seen a lift twice the size of the one observed, nor one of 5 points, so
 *    "no significant lift" would say nothing about whether the message works.
 * 3. `not_significant`: otherwise. The groups were large enough to see a lift of
 *    that size and the data are compatible with no lift at all.
 *
 * The direction of a significant difference is the sign of `interval.difference`
 * (a significant negative lift means the message lost sales).
 */
export const liftVerdict = (evidence: LiftEvidence, alpha = 0.05): LiftVerdict => {
  const { interval, pValue, minimumDetectableLift: mde, nTreated, nHoldout } = evidence;
  if (interval && pValue !== undefined && (interval.low > 0 || interval.high < 0) && pValue < alpha) {
    return 'significant';
  }
  if (!interval || pValue === undefined || Math.min(nTreated, nHoldout) < MIN_GROUP_SIZE) {
    return 'too_small_to_tell';
  }
  if (!(mde <= Math.max(2 * Math.abs(interval.difference), MEANINGFUL_LIFT_FLOOR)))
    return 'too_small_to_tell';
  return 'not_significant';
};

// ---------------------------------------------------------------------------
// Holdout assignment

const TWO_POW_52 = 2 ** 52;

/**
 * Turns a keyed hash of a contact (for instance the hex HMAC-SHA256 of the
 * campaign and contact ids) into a number in [0, 1), evenly spread, from its
 * first 13 hex digits (52 bits, exactly representable). A contact goes to the
 * holdout when this number is below the holdout share (0.1 for 10 %): the same
 * contact and key always land on the same side, and no list needs storing.
 * Throws when the text does not start with 13 hex digits.
 */
export const keyedShare = (hashHex: string): number => {
  const head = hashHex.slice(0, 13);
  if (!/^[0-9a-fA-F]{13}$/.test(head)) throw new RangeError('keyedShare needs at least 13 hex digits');
  return Number.parseInt(head, 16) / TWO_POW_52;
};
