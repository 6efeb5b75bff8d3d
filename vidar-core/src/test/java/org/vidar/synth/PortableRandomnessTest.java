package org.vidar.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PortableRandomnessTest {
  @Test
  void expMatchesStrictMathToAFewUlps() {
    for (double x = -740; x < 709; x += 0.0137) {
      double want = StrictMath.exp(x);
      double got = PortableMath.exp(x);
      assertTrue(Math.abs(got - want) <= 4 * Math.ulp(want), "exp(" + x + ")");
    }
    assertEquals(1.0, PortableMath.exp(0), 0);
    assertEquals(Double.POSITIVE_INFINITY, PortableMath.exp(1000), 0);
    assertEquals(0.0, PortableMath.exp(-1000), 0);
  }

  @Test
  void generatorIsTheReferenceSplitMix64() {
    // First outputs of SplitMix64 seeded with 0, as in the reference C implementation.
    SplitMix64 rng = new SplitMix64(0);
    assertEquals(0xE220A8397B1DCDAFL, rng.nextLong());
    assertEquals(0x6E789E6AA1B965F4L, rng.nextLong());
  }

  @Test
  void frameNoiseHasUnitVarianceAndZeroMean() {
    SplitMix64 rng = new SplitMix64(42);
    float[] x = new float[100_001];
    rng.addNoiseAndClip(x, 0, x.length, 1f, 10f);
    double sum = 0;
    double sq = 0;
    for (float v : x) {
      sum += v;
      sq += v * v;
      assertTrue(Math.abs(v) < 3.46f);
    }
    assertEquals(0, sum / x.length, 0.02);
    assertEquals(1, sq / x.length, 0.02);
    float[] y = new float[] {1.95f, -1.95f};
    new SplitMix64(1).addNoiseAndClip(y, 0, 2, 1f, 2f);
    assertTrue(Math.abs(y[0]) <= 2f && Math.abs(y[1]) <= 2f);
  }

  @Test
  void gaussiansAndPoissonHaveTheirMoments() {
    SplitMix64 rng = new SplitMix64(7);
    int n = 200_000;
    double sum = 0;
    double sq = 0;
    long poisson = 0;
    for (int i = 0; i < n; i++) {
      double g = rng.nextGaussian();
      sum += g;
      sq += g * g;
      poisson += rng.nextPoisson(1.5);
    }
    assertEquals(0, sum / n, 0.01);
    assertEquals(1, sq / n, 0.01);
    assertEquals(1.5, (double) poisson / n, 0.01);
  }
}
