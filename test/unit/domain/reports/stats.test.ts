import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  keyedShare,
  type LiftEvidence,
  liftVerdict,
  minimumDetectableLift,
  newcombeDifference,
  normalCdf,
  normalQuantile,
  RunningStats,
  studentTCdf,
  studentTQuantile,
  summarize,
  twoProportionZTest,
  welchDifference,
  wilson,
} from '../../../../functions/domain/reports/stats';

/** |actual − expected| ≤ tolerance × |expected|. */
const expectRelative = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
};

/** Rounds to 4 decimals, as the published tables print. */
const dp4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The 95 % two-sided normal value, written out (mpmath, 30 digits: 1.95996398454005423552…). */
const Z95 = 1.959963984540054;

describe('normalCdf', () => {
  it('matches Abramowitz & Stegun, Handbook of Mathematical Functions, Table 26.1', () => {
    // A&S 26.1 tabulates P(x) to 15 decimals: P(1) = .84134 47460 68543, P(2) = .97724 98680 51821,
    // P(3) = .99865 01019 68370.
    expect(normalCdf(0)).toBe(0.5);
    expect(Math.abs(normalCdf(1) - 0.841344746068543)).toBeLessThan(1e-15);
    expect(Math.abs(normalCdf(2) - 0.977249868051821)).toBeLessThan(1e-15);
    expect(Math.abs(normalCdf(3) - 0.99865010196837)).toBeLessThan(1e-15);
    expect(Math.abs(normalCdf(-1) - (1 - 0.841344746068543))).toBeLessThan(1e-15);
  });

  it('keeps its relative accuracy far in the lower tail', () => {
    // Φ(z) = erfc(−z/√2)/2 evaluated by mpmath at 30 significant digits.
    expectRelative(normalCdf(-5), 2.866515718791939e-7, 1e-14);
    expectRelative(normalCdf(-10), 7.619853024160525e-24, 1e-14);
    expectRelative(normalCdf(-20), 2.7536241186062337e-89, 1e-14);
    expectRelative(normalCdf(-37), 5.725571222524577e-300, 1e-13);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('is symmetric: Φ(z) + Φ(−z) = 1', () => {
    for (const z of [0.1, 0.5, 0.6744, 0.7, 1.5, 2.5, 4, 5.6, 5.7, 7]) {
      expect(Math.abs(normalCdf(z) + normalCdf(-z) - 1)).toBeLessThan(2e-16);
    }
  });
});

describe('normalQuantile', () => {
  it('gives the familiar critical values (mpmath √2·erfinv(2p − 1), 30 digits)', () => {
    expectRelative(normalQuantile(0.975), 1.9599639845400543, 1e-15);
    expectRelative(normalQuantile(0.995), 2.575829303548901, 1e-15);
    expectRelative(normalQuantile(0.8), 0.8416212335729142, 1e-15);
    expectRelative(normalQuantile(0.9), 1.2815515655446004, 1e-15);
    expectRelative(normalQuantile(0.025), -1.9599639845400543, 1e-15);
    expectRelative(normalQuantile(1e-10), -6.361340902404057, 1e-14);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('inverts normalCdf to well within 1e-9 across the whole range', () => {
    for (const p of [
      1e-300,
      1e-100,
      1e-20,
      1e-8,
      1e-3,
      0.01,
      0.02425,
      0.03,
      0.2,
      0.4,
      0.6,
      0.9,
      0.999,
      1 - 1e-12,
    ]) {
      const z = normalQuantile(p);
      // Relative error of the smaller tail; Φ has slope φ(z), so this bounds |z − z_true|.
      const tail = Math.min(p, 1 - p);
      const back = p <= 0.5 ? normalCdf(z) : normalCdf(-z);
      expectRelative(back, tail, 1e-12);
    }
  });

  it('has infinite ends and nothing outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });
});

describe('studentTQuantile', () => {
  it('matches the printed t tables', () => {
    // Two-sided critical values as printed in standard t tables (e.g. NIST/SEMATECH e-Handbook of
    // Statistical Methods §1.3.6.7.2, 3 decimals) and by R's qt() to 6 decimals.
    const table: [p: number, df: number, t: number][] = [
      [0.975, 1, 12.706205],
      [0.975, 2, 4.302653],
      [0.975, 5, 2.570582],
      [0.975, 10, 2.228139],
      [0.975, 20, 2.085963],
      [0.975, 30, 2.042272],
      [0.975, 120, 1.97993],
      [0.995, 10, 3.169273],
      [0.95, 10, 1.812461],
    ];
    for (const [p, df, t] of table) {
      expect(Math.abs(studentTQuantile(p, df) - t)).toBeLessThan(5e-7);
      expect(Math.abs(studentTQuantile(1 - p, df) + t)).toBeLessThan(5e-7);
    }
  });

  it('agrees with the closed forms for 1, 2 and 4 degrees of freedom', () => {
    // df = 1 is the Cauchy distribution: t = tan(π(p − ½)); df = 2: t = (2p − 1)/√(2p(1 − p));
    // df = 4: t = sign(p − ½)·2√(q − 1), q = cos(arccos(√α)/3)/√α, α = 4p(1 − p)
    // (W. T. Shaw, "Sampling Student's T distribution", J. Comp. Finance 9(4), 2006).
    for (const p of [1e-6, 0.001, 0.025, 0.1, 0.3, 0.45, 0.55, 0.7, 0.9, 0.975, 0.999]) {
      // tan(π(p − ½)) = −cot(πp), evaluated on the side away from the pole.
      const cauchy = p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p));
      expectRelative(studentTQuantile(p, 1), cauchy, 1e-12);
      expectRelative(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 1e-12);
      const alpha = 4 * p * (1 - p);
      const q = Math.cos(Math.acos(Math.sqrt(alpha)) / 3) / Math.sqrt(alpha);
      expectRelative(studentTQuantile(p, 4), Math.sign(p - 0.5) * 2 * Math.sqrt(q - 1), 1e-11);
    }
    // 12.7062047361747046… = tan(0.475π) (mpmath).
    expectRelative(studentTQuantile(0.975, 1), 12.706204736174705, 1e-14);
  });

  it('tends to the normal for many degrees of freedom', () => {
    // Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5): t ≈ z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²);
    // the next term is below 1e-17 at ν = 1e6.
    const nu = 1e6;
    const z = Z95;
    const expected = z + (z ** 3 + z) / (4 * nu) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * nu * nu);
    expectRelative(studentTQuantile(0.975, nu), expected, 1e-13);
    expect(studentTQuantile(0.975, nu)).toBeCloseTo(1.959964, 5);
    expect(studentTQuantile(0.975, Number.POSITIVE_INFINITY)).toBe(normalQuantile(0.975));
  });

  it('handles the ends and rejects non-positive degrees of freedom', () => {
    expect(studentTQuantile(0.5, 3.7)).toBe(0);
    expect(studentTQuantile(0, 3)).toBe(Number.NEGATIVE_INFINITY);
    expect(studentTQuantile(1, 3)).toBe(Number.POSITIVE_INFINITY);
    expect(studentTQuantile(2, 3)).toBeNaN();
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});

describe('studentTCdf', () => {
  it('agrees with the closed forms for 1, 2 and 3 degrees of freedom', () => {
    // Upper tails P(T > t), t > 0, written so that nothing cancels: df = 1: arctan(1/t)/π;
    // df = 2: ½(1 − t/s) = 1/(s(s + t)) with s = √(2 + t²); df = 3: ½ − [t/(√3(1 + t²/3)) + arctan(t/√3)]/π
    // (e.g. Wikipedia, "Student's t-distribution", special cases).
    for (const t of [0.2, 0.9, 1, 1.7, 2.5, 4, 6, 40, 1e4]) {
      const s = Math.sqrt(2 + t * t);
      expectRelative(studentTCdf(-t, 1), Math.atan(1 / t) / Math.PI, 1e-13);
      expectRelative(studentTCdf(-t, 2), 1 / (s * (s + t)), 1e-13);
      expect(Math.abs(studentTCdf(t, 2) - (1 - 1 / (s * (s + t))))).toBeLessThan(5e-16); // two ulps of 1
    }
    for (const t of [0.2, 0.9, 1.7, 2.5, 4, 6]) {
      const tail3 = 0.5 - (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;
      expectRelative(studentTCdf(-t, 3), tail3, 1e-12);
    }
  });

  it('gives the table probabilities back and is the normal at infinite df', () => {
    expect(Math.abs(studentTCdf(2.228139, 10) - 0.975)).toBeLessThan(1e-7);
    expect(Math.abs(studentTCdf(-2.042272, 30) - 0.025)).toBeLessThan(1e-7);
    expect(studentTCdf(0, 7.5)).toBe(0.5);
    expect(studentTCdf(1.3, Number.POSITIVE_INFINITY)).toBe(normalCdf(1.3));
  });
});

describe('wilson', () => {
  it("reproduces Newcombe's examples for the single proportion", () => {
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
    // seven methods", Stat. Med. 17 (1998) 857–872: its worked examples, method 3 (score interval
    // without continuity correction).
    const examples: [x: number, n: number, low: number, high: number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, low, high] of examples) {
      const w = wilson(x, n);
      expect(w && { rate: w.rate, low: dp4(w.low), high: dp4(w.high) }).toEqual({ rate: x / n, low, high });
    }
  });

  it('gives [0, z²/(n + z²)] for no successes and its mirror image for all successes', () => {
    // With x = 0 the score equation (n + z²)π² − z²π = 0 has roots 0 and z²/(n + z²).
    for (const n of [1, 7, 20, 1000]) {
      const upper = (Z95 * Z95) / (n + Z95 * Z95);
      expect(wilson(0, n)).toEqual({ rate: 0, low: 0, high: expect.closeTo(upper, 14) });
      expect(wilson(n, n)).toEqual({ rate: 1, low: expect.closeTo(1 - upper, 14), high: 1 });
    }
    const z99 = 2.5758293035489004;
    expect(wilson(0, 20, 0.99)?.high).toBeCloseTo((z99 * z99) / (20 + z99 * z99), 14);
  });

  it('keeps rare events accurate (no cancellation in the lower bound)', () => {
    // The bounds are the roots of (n + z²)π² − (2x + z²)π + x²/n = 0: their product is x²/(n(n + z²))
    // and their sum (2x + z²)/(n + z²).
    const w = wilson(1, 10_000_000);
    expect(w).toBeDefined();
    if (!w) return;
    const n = 10_000_000;
    const z2 = Z95 * Z95;
    expectRelative(w.low * w.high, 1 / (n * (n + z2)), 1e-13);
    expectRelative(w.low + w.high, (2 + z2) / (n + z2), 1e-13);
  });

  it('returns undefined for an empty group and rejects impossible counts', () => {
    expect(wilson(0, 0)).toBeUndefined();
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(-1, 2)).toThrow(RangeError);
    expect(() => wilson(1.5, 2)).toThrow(RangeError);
    expect(() => wilson(1, 2, 1)).toThrow(RangeError);
  });
});

describe('newcombeDifference', () => {
  it("reproduces Newcombe's worked examples (method 10)", () => {
    // R. G. Newcombe, "Interval estimation for the difference between independent proportions:
    // comparison of eleven methods", Stat. Med. 17 (1998) 873–890: its worked examples (a)–(h),
    // method 10. (c), 6/7 − 2/7, is left out: the value for it could not be checked against the paper.
    const examples: [x1: number, n1: number, x2: number, n2: number, low: number, high: number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339], // (a)
      [9, 10, 3, 10, 0.1705, 0.809], // (b)
      [5, 56, 0, 29, -0.0381, 0.1926], // (d)
      [0, 10, 0, 20, -0.1611, 0.2775], // (e)
      [0, 10, 0, 10, -0.2775, 0.2775], // (f)
      [10, 10, 0, 20, 0.6791, 1], // (g)
      [10, 10, 0, 10, 0.6075, 1], // (h)
    ];
    for (const [x1, n1, x2, n2, low, high] of examples) {
      const d = newcombeDifference(x1, n1, x2, n2);
      expect(d && { low: dp4(d.low), high: dp4(d.high) }).toEqual({ low, high });
    }
    expect(newcombeDifference(56, 70, 48, 80)?.difference).toBeCloseTo(0.2, 15);
  });

  it('is built from the two Wilson bounds when a group has no successes', () => {
    // 0/n1 − 0/n2: the Wilson intervals are [0, u1] and [0, u2], so the difference interval is
    // [−u2, u1] with u = z²/(n + z²).
    const u = (n: number) => (Z95 * Z95) / (n + Z95 * Z95);
    expect(newcombeDifference(0, 50, 0, 200)).toEqual({
      difference: 0,
      low: expect.closeTo(-u(200), 14),
      high: expect.closeTo(u(50), 14),
    });
    // 10/10 − 0/10: 1 − √2·u(10) below, exactly 1 above.
    expect(newcombeDifference(10, 10, 0, 10)).toEqual({
      difference: 1,
      low: expect.closeTo(1 - Math.SQRT2 * u(10), 14),
      high: 1,
    });
  });

  it('changes sign when the groups are swapped, and is centred on 0 for identical groups', () => {
    const ab = newcombeDifference(56, 70, 48, 80);
    const ba = newcombeDifference(48, 80, 56, 70);
    expect(ba?.difference).toBeCloseTo(-(ab?.difference ?? Number.NaN), 15);
    expect(ba?.low).toBeCloseTo(-(ab?.high ?? Number.NaN), 15);
    expect(ba?.high).toBeCloseTo(-(ab?.low ?? Number.NaN), 15);
    const same = newcombeDifference(30, 400, 30, 400);
    expect(same?.difference).toBe(0);
    expect(same?.low).toBeCloseTo(-(same?.high ?? Number.NaN), 15);
    expect(same?.high).toBeGreaterThan(0);
  });

  it('returns undefined when a group is empty', () => {
    expect(newcombeDifference(0, 0, 3, 10)).toBeUndefined();
    expect(newcombeDifference(3, 10, 0, 0)).toBeUndefined();
  });
});

describe('twoProportionZTest', () => {
  it("gives z² equal to Pearson's chi-square of the 2 × 2 table", () => {
    // 56/70 vs 48/80, worked on paper: the table is [[56, 14], [48, 32]], N = 150, and
    // χ² = N(ad − bc)² / (r1·r2·c1·c2) = 150 × (1792 − 672)² / (70 × 80 × 104 × 46) = 1881600/267904
    // = 7.02341…, so z = √7.02341… = 2.650172 (positive: the first group did better).
    // scipy.stats.chi2.sf(1881600/267904, df=1) = 0.0080450813681966; a χ²(1) table puts
    // 7.0234 between 6.635 (p = 0.01) and 7.879 (p = 0.005).
    const result = twoProportionZTest(56, 70, 48, 80);
    expect(result).toBeDefined();
    if (!result) return;
    expectRelative(result.z * result.z, 1881600 / 267904, 1e-14);
    expect(result.z).toBeGreaterThan(0);
    expectRelative(result.pValue, 0.0080450813681966, 1e-12);
    expect(result.pValue).toBeGreaterThan(0.005);
    expect(result.pValue).toBeLessThan(0.01);
  });

  it('handles a perfect separation from first principles', () => {
    // 10/10 vs 0/10: χ² = 20 × (10·10 − 0·0)² / (10⁴) = 20; scipy.stats.chi2.sf(20, 1) = 7.744216431044e-6.
    const result = twoProportionZTest(10, 10, 0, 10);
    expect(result?.z).toBeCloseTo(Math.sqrt(20), 14);
    expectRelative(result?.pValue ?? Number.NaN, 7.744216431044088e-6, 1e-12);
    expect(twoProportionZTest(0, 10, 10, 10)?.z).toBeCloseTo(-Math.sqrt(20), 14);
  });

  it('gives p = 1 for identical groups and for no variation at all', () => {
    expect(twoProportionZTest(30, 400, 30, 400)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(15, 200, 30, 400)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 50, 0, 80)).toEqual({ z: 0, pValue: 1 });
    expect(twoProportionZTest(50, 50, 80, 80)).toEqual({ z: 0, pValue: 1 });
  });

  it('returns undefined when a group is empty', () => {
    expect(twoProportionZTest(0, 0, 1, 10)).toBeUndefined();
    expect(twoProportionZTest(1, 10, 0, 0)).toBeUndefined();
    expect(() => twoProportionZTest(11, 10, 0, 10)).toThrow(RangeError);
  });
});

/** Student's sleep data (Cushny & Peebles 1905; R's `sleep` data set): extra hours of sleep. */
const sleepGroup1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const sleepGroup2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe('summarize and RunningStats', () => {
  it("give the sleep data's means and variances", () => {
    // R: mean 0.75 and 2.33; sd 1.789010 and 2.002249, i.e. variances 28.805/9 = 3.2005556 and
    // 36.081/9 = 4.009 (sums of squared deviations worked by hand).
    const a = summarize(sleepGroup1);
    const b = summarize(sleepGroup2);
    expect(a).toEqual({ n: 10, mean: expect.closeTo(0.75, 14), variance: expect.closeTo(28.805 / 9, 13) });
    expect(b).toEqual({ n: 10, mean: expect.closeTo(2.33, 14), variance: expect.closeTo(36.081 / 9, 13) });
    expect(Math.sqrt(a.variance)).toBeCloseTo(1.78901, 5);
    expect(Math.sqrt(b.variance)).toBeCloseTo(2.002249, 6);
  });

  it('do not lose digits on large values close together', () => {
    // Wikipedia, "Algorithms for calculating variance": 4, 7, 13, 16 shifted by 10⁹ still have
    // variance 30 (the sum-of-squares shortcut gives garbage here).
    const s = summarize([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(s.mean).toBe(1e9 + 10);
    expect(s.variance).toBeCloseTo(30, 9);
  });

  it('stream one value at a time with the same result as summarize', () => {
    const stats = new RunningStats();
    function* revenue(): Generator<number> {
      for (let i = 0; i < 10_000; i++) yield i % 7 === 0 ? 25 + (i % 13) : 0;
    }
    for (const v of revenue()) stats.add(v);
    const batch = summarize(revenue());
    expect(stats.n).toBe(10_000);
    expect(stats.mean).toBe(batch.mean);
    expect(stats.variance).toBe(batch.variance);
    // The mean by plain arithmetic: 1429 buyers (i ≡ 0 mod 7), each spending 25 + (i mod 13).
    let total = 0;
    for (let i = 0; i < 10_000; i += 7) total += 25 + (i % 13);
    expect(stats.mean).toBeCloseTo(total / 10_000, 12);
  });

  it('say NaN where there is nothing to measure, and refuse non-finite values', () => {
    expect(summarize([])).toEqual({ n: 0, mean: Number.NaN, variance: Number.NaN });
    expect(summarize([42])).toEqual({ n: 1, mean: 42, variance: Number.NaN });
    expect(() => new RunningStats().add(Number.NaN)).toThrow(RangeError);
    expect(() => new RunningStats().add(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('welchDifference', () => {
  it("reproduces R's Welch two-sample t-test on the sleep data", () => {
    // R documentation example, t.test(extra ~ group, data = sleep):
    //   t = -1.8608, df = 17.776, p-value = 0.07939
    //   95 percent confidence interval: -3.3654832  0.2054832
    const result = welchDifference(summarize(sleepGroup1), summarize(sleepGroup2));
    expect(result).toBeDefined();
    if (!result) return;
    expect(result.difference).toBeCloseTo(-1.58, 12);
    expect(result.df).toBeCloseTo(17.776, 3);
    expect(result.low).toBeCloseTo(-3.3654832, 7);
    expect(result.high).toBeCloseTo(0.2054832, 7);
  });

  it('takes a RunningStats directly and mirrors when the groups are swapped', () => {
    const a = new RunningStats();
    const b = new RunningStats();
    for (const v of sleepGroup1) a.add(v);
    for (const v of sleepGroup2) b.add(v);
    const ab = welchDifference(a, b);
    const ba = welchDifference(b, a);
    expect(ba?.low).toBeCloseTo(-(ab?.high ?? Number.NaN), 12);
    expect(ba?.df).toBe(ab?.df);
  });

  it('uses n − 1 degrees of freedom when one group does not vary', () => {
    // Welch–Satterthwaite with var_b = 0: df = (v_a/n_a)² / ((v_a/n_a)²/(n_a − 1)) = n_a − 1, and the
    // interval is the one-sample t interval of group a: 0.75 ± t(0.975, 9)·s/√10, t(0.975, 9) = 2.262157.
    const result = welchDifference(summarize(sleepGroup1), { n: 5, mean: 0, variance: 0 });
    expect(result?.df).toBeCloseTo(9, 12);
    expect(result?.high).toBeCloseTo(0.75 + 2.262157 * Math.sqrt(28.805 / 9 / 10), 5);
  });

  it('collapses to the difference when nothing varies, and needs two values a group', () => {
    expect(welchDifference({ n: 4, mean: 3, variance: 0 }, { n: 6, mean: 1, variance: 0 })).toEqual({
      difference: 2,
      low: 2,
      high: 2,
      df: 8,
    });
    expect(welchDifference({ n: 1, mean: 3, variance: Number.NaN }, summarize(sleepGroup1))).toBeUndefined();
    expect(welchDifference(summarize([]), summarize(sleepGroup1))).toBeUndefined();
  });
});

describe('minimumDetectableLift', () => {
  it('is (z_{1−α/2} + z_power) standard errors', () => {
    // The sample-size constant (z_{0.975} + z_{0.80})² = (1.95996 + 0.84162)² = 7.849, tabulated in
    // sample-size texts (e.g. Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions,
    // 3rd ed., 2003, ch. 4; it is where Lehr's "16 s²/d²" rule comes from), and
    // (z_{0.995} + z_{0.90})² = (2.57583 + 1.28155)² = 14.879.
    const se2 = 0.5 * 0.5 * (1 / 1000 + 1 / 1000);
    expect(minimumDetectableLift(0.5, 1000, 1000) ** 2 / se2).toBeCloseTo(7.849, 3);
    expect(minimumDetectableLift(0.5, 1000, 1000, 0.01, 0.9) ** 2 / se2).toBeCloseTo(14.879, 3);
  });

  it('inverts the textbook sample size per group, n = 7.849 × 2p(1 − p)/δ²', () => {
    // 5 % base rate, a 1-point lift: n = 7.849 × 2 × 0.05 × 0.95 / 0.01² = 7456 a group.
    const n = (7.848879734349088 * 2 * 0.05 * 0.95) / 0.01 ** 2;
    expect(minimumDetectableLift(0.05, n, n)).toBeCloseTo(0.01, 9);
  });

  it('grows as either group shrinks, and is infinite for an empty group', () => {
    expect(minimumDetectableLift(0.05, 9000, 1000)).toBeLessThan(minimumDetectableLift(0.05, 9000, 500));
    expect(minimumDetectableLift(0.05, 9000, 1000)).toBeLessThan(minimumDetectableLift(0.05, 4000, 1000));
    expect(minimumDetectableLift(0.05, 1000, 0)).toBe(Number.POSITIVE_INFINITY);
    expect(minimumDetectableLift(0.05, 0, 1000)).toBe(Number.POSITIVE_INFINITY);
    expect(() => minimumDetectableLift(1.2, 10, 10)).toThrow(RangeError);
    expect(() => minimumDetectableLift(0.1, 10, 10, 0)).toThrow(RangeError);
  });
});

describe('liftVerdict', () => {
  const evidence = (x1: number, n1: number, x2: number, n2: number): LiftEvidence => ({
    interval: newcombeDifference(x1, n1, x2, n2),
    pValue: twoProportionZTest(x1, n1, x2, n2)?.pValue,
    minimumDetectableLift: minimumDetectableLift((x1 + x2) / (n1 + n2 || 1), n1, n2),
    nTreated: n1,
    nHoldout: n2,
  });

  it('is significant when the interval excludes 0 and p < 0.05, whichever the direction', () => {
    // Newcombe (a): interval (0.0524, 0.3339), p = 0.008.
    expect(liftVerdict(evidence(56, 70, 48, 80))).toBe('significant');
    expect(liftVerdict(evidence(48, 80, 56, 70))).toBe('significant');
  });

  it('is too small to tell with fewer than 30 people in a group', () => {
    expect(liftVerdict(evidence(4, 20, 3, 20))).toBe('too_small_to_tell');
    expect(liftVerdict(evidence(40, 900, 1, 29))).toBe('too_small_to_tell');
    expect(liftVerdict(evidence(0, 0, 1, 29))).toBe('too_small_to_tell');
  });

  it('is too small to tell when only a large lift could have been detected', () => {
    // 900 treated, 100 holdout, ~5 %: MDE = 2.80 × √(0.05 × 0.95 × (1/900 + 1/100)) ≈ 0.064 > 0.05.
    const e = evidence(46, 900, 5, 100);
    expect(e.minimumDetectableLift).toBeGreaterThan(0.05);
    expect(liftVerdict(e)).toBe('too_small_to_tell');
  });

  it('is not significant when the groups could have seen a lift and saw none', () => {
    // 20,000 treated, 2,000 holdout, 5.1 % against 5.0 %: MDE ≈ 2.80 × √(0.0475 × 0.00055) ≈ 0.014.
    const e = evidence(1020, 20_000, 100, 2000);
    expect(e.minimumDetectableLift).toBeLessThan(0.05);
    expect(liftVerdict(e)).toBe('not_significant');
  });

  it('claims no lift when the interval and the p-value disagree', () => {
    const borderline: LiftEvidence = {
      interval: { difference: 0.03, low: 0.001, high: 0.059 },
      pValue: 0.051,
      minimumDetectableLift: 0.04,
      nTreated: 5000,
      nHoldout: 500,
    };
    expect(liftVerdict(borderline)).toBe('not_significant');
    expect(liftVerdict({ ...borderline, minimumDetectableLift: Number.POSITIVE_INFINITY })).toBe(
      'too_small_to_tell',
    );
    // A larger observed difference raises the bar: an MDE of 0.07 is fine against 2 × 0.04 = 0.08.
    expect(
      liftVerdict({
        ...borderline,
        interval: { difference: 0.04, low: -0.001, high: 0.081 },
        minimumDetectableLift: 0.07,
      }),
    ).toBe('not_significant');
  });
});

describe('keyedShare', () => {
  it('reads the first 13 hex digits as a fraction of 2⁵²', () => {
    expect(keyedShare('0000000000000')).toBe(0);
    expect(keyedShare('8000000000000')).toBe(0.5);
    expect(keyedShare('4000000000000ffff')).toBe(0.25);
    expect(keyedShare('fffffffffffff')).toBe(1 - 2 ** -52);
    expect(keyedShare('FFFFFFFFFFFFF')).toBe(1 - 2 ** -52);
    expect(keyedShare(`0000000000001${'f'.repeat(51)}`)).toBe(2 ** -52);
  });

  it('rejects anything that does not start with 13 hex digits', () => {
    expect(() => keyedShare('abc')).toThrow(RangeError);
    expect(() => keyedShare('000000000000g000')).toThrow(RangeError);
    expect(() => keyedShare('')).toThrow(RangeError);
  });

  it('spreads HMAC-SHA256 digests evenly', () => {
    const shares: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      shares.push(keyedShare(createHmac('sha256', 'campaign').update(String(i)).digest('hex')));
    }
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...shares)).toBeLessThan(1);
    // A 10 % holdout: binomial standard deviation √(0.1 × 0.9 / 100000) = 0.00095, so ±0.003 is 3.2 sd.
    const held = shares.filter((s) => s < 0.1).length / shares.length;
    expect(Math.abs(held - 0.1)).toBeLessThanOrEqual(0.003);
    // Ten equal bins: Pearson's χ² with 9 df stays below 27.877, its 0.1 % critical value
    // (χ² tables, e.g. NIST/SEMATECH e-Handbook §1.3.6.7.4).
    const bins = new Array<number>(10).fill(0);
    for (const s of shares) bins[Math.floor(s * 10)] = (bins[Math.floor(s * 10)] ?? 0) + 1;
    const expected = shares.length / 10;
    const chi2 = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.877);
  });
});
