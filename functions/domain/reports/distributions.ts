/**
 * The normal and Student t distributions the lift statistics stand on (stats.ts): their
 * cumulative distribution functions and quantiles, to double precision, with no dependency.
 */

// ---------------------------------------------------------------------------
// Normal distribution

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const ONE_OVER_SQRT_2PI = 1 / SQRT_2PI;

// W. J. Cody, "Rational Chebyshev approximations for the error function" (Math. Comp. 23, 1969),
// as revised in ACM TOMS Algorithm 715 (1993) and used by R's pnorm(): relative error near
// double precision over the whole line, including the far tails. The coefficients are written as
// the doubles Cody's 20-digit values parse to (the linter refuses digits a double cannot hold).
const CODY_A = [
  2.2352520354606837, 161.02823106855587, 1067.6894854603709, 18154.98125334356, 0.06568233791820745,
];
const CODY_B = [47.202581904688245, 976.0985517377767, 10260.932208618979, 45507.78933502673];
const CODY_C = [
  0.39894151208813466, 8.883149794388377, 93.50665613217785, 597.2702763948002, 2494.5375852903726,
  6848.190450536283, 11602.65143764735, 9842.714838383978, 1.0765576773720192e-8,
];
const CODY_D = [
  22.266688044328117, 235.387901782625, 1519.3775994075547, 6485.558298266761, 18615.571640885097,
  34900.95272114598, 38912.00328609327, 19685.429676859992,
];
const CODY_P = [
  0.215898534057957, 0.12740116116024736, 0.022235277870649807, 0.0014216191932278934, 2.9112874951168793e-5,
  0.023073441764940174,
];
const CODY_Q = [
  1.284260096144911, 0.4682382124808651, 0.06598813786892856, 0.0037823963320275824, 7.297515550839662e-5,
];

/** The coefficient at `i` of a fixed table (the tables above are never indexed out of range). */
const at = (table: readonly number[], i: number): number => table[i] as number;

/** exp(−y²/2) · factor, split as R does so that y² loses no digits in the far tail. */
const gaussianTail = (y: number, factor: number): number => {
  const ySq = Math.trunc(y * 16) / 16;
  const del = (y - ySq) * (y + ySq);
  return Math.exp(-ySq * ySq * 0.5) * Math.exp(-del * 0.5) * factor;
};

/**
 * The share of a standard normal ("bell curve") population lying below `z`:
 * normalCdf(0) = 0.5, normalCdf(1.96) ≈ 0.975. Accurate to about 1e-15 relative,
 * also far in the tails (normalCdf(−10) ≈ 7.6e-24), which is what turns a test
 * statistic into a trustworthy p-value. Below about −37.5 the result is 0 (too
 * small for a double), above about 8.3 it is 1.
 */
export const normalCdf = (z: number): number => {
  if (Number.isNaN(z)) return Number.NaN;
  const y = Math.abs(z);
  if (y <= 0.67448975) {
    // |z| up to the quartile: a single rational function of z².
    let num = 0;
    let den = 0;
    if (y > Number.EPSILON / 2) {
      const zSq = z * z;
      num = at(CODY_A, 4) * zSq;
      den = zSq;
      for (let i = 0; i < 3; i++) {
        num = (num + at(CODY_A, i)) * zSq;
        den = (den + at(CODY_B, i)) * zSq;
      }
    }
    return 0.5 + (z * (num + at(CODY_A, 3))) / (den + at(CODY_B, 3));
  }
  let lower: number; // the share below −|z|
  if (y <= Math.sqrt(32)) {
    let num = at(CODY_C, 8) * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + at(CODY_C, i)) * y;
      den = (den + at(CODY_D, i)) * y;
    }
    lower = gaussianTail(y, (num + at(CODY_C, 7)) / (den + at(CODY_D, 7)));
  } else if (y < 37.5193) {
    const inv = 1 / (z * z);
    let num = at(CODY_P, 5) * inv;
    let den = inv;
    for (let i = 0; i < 4; i++) {
      num = (num + at(CODY_P, i)) * inv;
      den = (den + at(CODY_Q, i)) * inv;
    }
    const r = (inv * (num + at(CODY_P, 4))) / (den + at(CODY_Q, 4));
    lower = gaussianTail(y, (ONE_OVER_SQRT_2PI - r) / y);
  } else {
    lower = 0; // below 1e-300: not representable
  }
  return z > 0 ? 1 - lower : lower;
};

// P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function"
// (2003, once at home.online.no/~pjacklam/notes/invnorm/): relative error below 1.15e-9.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/** Acklam's approximation for 0 < p ≤ 0.5 (so the result is ≤ 0). */
const acklamLower = (p: number): number => {
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = ACKLAM_B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = ACKLAM_D as [number, number, number, number];
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
};

/**
 * The inverse of {@link normalCdf}: the value `z` with a share `p` of the bell
 * curve below it. normalQuantile(0.975) ≈ 1.959964 is the "1.96" of every 95 %
 * interval. Acklam's approximation followed by one Halley correction step on
 * the exact CDF, which brings it from about 1e-9 to about 1e-15 relative.
 * Returns −Infinity at 0, +Infinity at 1, NaN outside [0, 1].
 */
export const normalQuantile = (p: number): number => {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  // 1 − p is exact for p ≥ 0.5, so the upper half is the mirror image of the lower one and every
  // computation happens where the CDF has full relative precision.
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklamLower(p);
  const cdf = normalCdf(x);
  if (cdf === 0) return x; // p below about 1e-300: no refinement possible, Acklam's 1e-9 stands
  const e = cdf - p;
  const u = e * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
};

/** The normal value for a two-sided interval at `confidence` (1.959964 for 0.95). */
export const twoSidedZ = (confidence: number): number => {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1): ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
};

// ---------------------------------------------------------------------------
// Student t distribution

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0: Lanczos' approximation (g = 7, 9 terms), about 1e-15 relative. */
const logGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const xm1 = x - 1;
  let sum = at(LANCZOS, 0);
  for (let i = 1; i < LANCZOS.length; i++) sum += at(LANCZOS, i) / (xm1 + i);
  const t = xm1 + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (xm1 + 0.5) * Math.log(t) - t + Math.log(sum);
};

/** ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], Stirling's series, for x ≥ 10 (error below 1e-15). */
const stirlingCorrection = (x: number): number => {
  const x2 = x * x;
  return (
    (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188 - 691 / 360360 / x2) / x2) / x2) / x2) / x2) / x
  );
};

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). When one argument is large (a t distribution
 * with many degrees of freedom) the two big log-gammas nearly cancel, so their difference is
 * taken from Stirling's series instead, term by term.
 */
const logBeta = (a: number, b: number): number => {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (hi < 10) return logGamma(a) + logGamma(b) - logGamma(a + b);
  const correction = stirlingCorrection(hi) - stirlingCorrection(hi + lo);
  return logGamma(lo) + correction + lo - lo * Math.log(hi + lo) - (hi - 0.5) * Math.log1p(lo / hi);
};

/** Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
const betaContinuedFraction = (a: number, b: number, x: number): number => {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  return h;
};

/**
 * The same continued fraction for I_x(a, b) when x is close to 1 and a is large (a t distribution
 * with many degrees of freedom, beyond its centre), where the form above loses digits: its
 * partial denominators 1 + d_{2m+1} are then nearly 0. This is its even contraction,
 *
 *   1 / (1 + d_1 − d_1·d_2 / (1 + d_2 + d_3 − d_3·d_4 / (1 + d_4 + d_5 − …))),
 *
 * with each 1 + d_{2m+1} rewritten in terms of y = 1 − x so that nothing cancels:
 *   1 + d_{2m+1} = [a(2m + 1 − b) + m(3m + 2 − b) + (a + m)(a + b + m)·y] / ((a + 2m)(a + 2m + 1)).
 * Valid for b ≤ 1 (here b = ½), where every such term is positive.
 */
const betaContinuedFractionNearOne = (a: number, b: number, x: number, y: number): number => {
  const tiny = 1e-300;
  const onePlusOdd = (m: number): number =>
    (a * (2 * m + 1 - b) + m * (3 * m + 2 - b) + (a + m) * (a + b + m) * y) / ((a + 2 * m) * (a + 2 * m + 1));
  const odd = (m: number): number => (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
  const even = (m: number): number => (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
  let f = onePlusOdd(0);
  let c = f;
  let d = 0;
  for (let m = 1; m <= 100_000; m++) {
    const numerator = -odd(m - 1) * even(m);
    const denominator = onePlusOdd(m) + even(m);
    d = denominator + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = denominator + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / f;
};

/**
 * P(T > t) for t ≥ 0 and T a Student t variable with `df` degrees of freedom:
 * ½ · I_x(df/2, ½) with x = df / (df + t²), I the regularized incomplete beta function.
 * x and 1 − x are formed separately (and ln x through log1p) so that neither loses digits.
 */
const studentTUpper = (t: number, df: number): number => {
  if (t === Number.POSITIVE_INFINITY) return 0;
  const t2 = t * t;
  const ratio = t2 / df; // (1 − x) / x
  const x = 1 / (1 + ratio);
  const y = ratio / (1 + ratio);
  const a = df / 2;
  const b = 0.5;
  const logFront = -a * Math.log1p(ratio) + b * Math.log(y) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) {
    return (0.5 * Math.exp(logFront) * betaContinuedFractionNearOne(a, b, x, y)) / a;
  }
  // Here t² < 3, so the tail is above 4 % and the subtraction costs nothing that matters.
  return 0.5 * (1 - (Math.exp(logFront) * betaContinuedFraction(b, a, y)) / b);
};

/** The Student t density with `df` degrees of freedom at `t`. */
const studentTDensity = (t: number, df: number): number =>
  Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - logBeta(df / 2, 0.5)) / Math.sqrt(df);

const checkDf = (df: number): void => {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive: ${df}`);
};

/**
 * The share of a Student t distribution with `df` degrees of freedom lying below
 * `t`. The t distribution is the bell curve's wider cousin used when a spread
 * (here: of revenue per person) is itself estimated from the data; with many
 * people (large `df`) it becomes the normal distribution. `df` may be fractional
 * (Welch's formula gives fractional values) and Infinity (the normal).
 */
export const studentTCdf = (t: number, df: number): number => {
  checkDf(df);
  if (Number.isNaN(t)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalCdf(t);
  const upper = studentTUpper(Math.abs(t), df);
  return t >= 0 ? 1 - upper : upper;
};

/**
 * The inverse of {@link studentTCdf}: the value with a share `p` of the t
 * distribution below it, e.g. studentTQuantile(0.975, 10) ≈ 2.228139, the
 * multiplier of a 95 % interval from 11 people. Solved by Newton's method on the
 * logarithm of the tail, kept inside a bracket that always holds the answer, to
 * about 1e-13 relative.
 */
export const studentTQuantile = (p: number, df: number): number => {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (df === Number.POSITIVE_INFINITY) return normalQuantile(p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTQuantile(1 - p, df); // 1 − p is exact for p ≥ 0.5
  // Here p < 0.5: find t > 0 with P(T > t) = p, and return −t.
  const logP = Math.log(p);
  let lo = 0;
  let hi = Math.max(1, -2 * normalQuantile(p));
  for (let i = 0; i < 2000 && studentTUpper(hi, df) > p; i++) {
    lo = hi;
    hi *= 2;
  }
  let t = Math.min(Math.max(-normalQuantile(p), lo), hi);
  if (!(t > lo && t < hi)) t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const tail = studentTUpper(t, df);
    if (tail === p) break;
    if (tail > p) lo = t;
    else hi = t;
    // Newton on g(t) = ln P(T > t) − ln p, whose slope is −density / tail.
    let next = t + ((Math.log(tail) - logP) * tail) / studentTDensity(t, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    const step = Math.abs(next - t);
    t = next;
    if (step <= 1e-14 * t || hi - lo <= 1e-15 * hi) break;
  }
  return -t;
};
