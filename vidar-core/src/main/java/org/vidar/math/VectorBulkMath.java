package org.vidar.math;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BulkMath} on the Vector API (loaded by name only when the incubator module is present):
 * whole vectors of doubles through the JDK's SIMD exp and log, the tail scalar.
 */
final class VectorBulkMath implements BulkMath {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

  VectorBulkMath() {
    // Fails here, not in the middle of a pass, when the module is missing.
    DoubleVector.zero(S);
  }

  @Override
  public void sigmoids(double[] a, double[] sp, double[] sn, int n) {
    int i = 0;
    for (int end = S.loopBound(n); i < end; i += S.length()) {
      DoubleVector t = DoubleVector.fromArray(S, a, i).neg().min(700.0).lanewise(VectorOperators.EXP);
      DoubleVector p = DoubleVector.broadcast(S, 1.0).div(t.add(1.0));
      p.intoArray(sp, i);
      t.mul(p).intoArray(sn, i);
    }
    ScalarBulkMath.sigmoids(a, sp, sn, i, n);
  }

  @Override
  public void exp(double[] x, double[] out, int n) {
    int i = 0;
    for (int end = S.loopBound(n); i < end; i += S.length()) {
      DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.EXP).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = Math.exp(x[i]);
    }
  }

  @Override
  public void log(double[] x, double[] out, int n) {
    int i = 0;
    for (int end = S.loopBound(n); i < end; i += S.length()) {
      DoubleVector.fromArray(S, x, i).lanewise(VectorOperators.LOG).intoArray(out, i);
    }
    for (; i < n; i++) {
      out[i] = Math.log(x[i]);
    }
  }

  @Override
  public void scaledAbsMinusSign(float[] x, int xOffset, float[] a, float[] b, float[] out, int outOffset,
      int n) {
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += F.length()) {
      FloatVector v = FloatVector.fromArray(F, x, xOffset + i);
      FloatVector bv = FloatVector.fromArray(F, b, i);
      VectorMask<Float> negative = v.compare(VectorOperators.LT, 0f);
      VectorMask<Float> zero = v.compare(VectorOperators.EQ, 0f);
      FloatVector signed = bv.blend(bv.neg(), negative).blend(0f, zero);
      FloatVector.fromArray(F, a, i).mul(v.abs()).sub(signed).intoArray(out, outOffset + i);
    }
    ScalarBulkMath.scaledAbsMinusSign(x, xOffset, a, b, out, outOffset, i, n);
  }

  @Override
  public String name() {
    return "vector (" + S.length() + " doubles)";
  }
}
