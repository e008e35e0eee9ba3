/**
 * mulberry32: a small seeded pseudo-random generator for the reliability scripts and their CI
 * slices (faults, soak), whose runs print their seed and repeat from it. Not for anything secret.
 */

/** A generator of numbers in [0, 1) that repeats its sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
