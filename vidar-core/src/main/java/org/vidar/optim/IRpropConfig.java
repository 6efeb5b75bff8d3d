package org.vidar.optim;

/**
 * Hyper-parameters of {@link IRpropPlus}: step-size growth and shrink factors, the bounds on each
 * step size and the initial step size.
 */
public record IRpropConfig(double etaPlus, double etaMinus, double deltaMin, double deltaMax, double delta0) implements java.io.Serializable {

  public IRpropConfig {
    if (!(etaPlus > 1) || !Double.isFinite(etaPlus)) {
      throw new IllegalArgumentException("etaPlus must be greater than 1 and finite, got " + etaPlus);
    }
    if (!(etaMinus > 0 && etaMinus < 1)) {
      throw new IllegalArgumentException("etaMinus must be in (0, 1), got " + etaMinus);
    }
    if (!(deltaMin >= 0) || !Double.isFinite(deltaMin)) {
      throw new IllegalArgumentException("deltaMin must be non-negative and finite, got " + deltaMin);
    }
    if (!(deltaMax >= deltaMin) || !Double.isFinite(deltaMax) || !(deltaMax > 0)) {
      throw new IllegalArgumentException("deltaMax must be positive, finite and at least deltaMin=" + deltaMin
          + ", got " + deltaMax);
    }
    if (!(delta0 >= deltaMin && delta0 <= deltaMax) || !(delta0 > 0)) {
      throw new IllegalArgumentException("delta0 must be positive and in [deltaMin, deltaMax] = [" + deltaMin + ", "
          + deltaMax + "], got " + delta0);
    }
  }

  /** Igel &amp; Hüsken's settings: eta+ 1.2, eta- 0.5, deltaMin 0, deltaMax 50, delta0 0.0125. */
  public static IRpropConfig defaults() {
    return new IRpropConfig(1.2, 0.5, 0.0, 50.0, 0.0125);
  }

  /** The defaults with another initial step size. */
  public static IRpropConfig withDelta0(double delta0) {
    return new IRpropConfig(1.2, 0.5, 0.0, Math.max(50.0, delta0), delta0);
  }
}
