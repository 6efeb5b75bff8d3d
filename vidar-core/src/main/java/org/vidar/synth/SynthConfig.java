package org.vidar.synth;

/**
 * Parameters of the {@link LatentVideoModel}: everything that, with the seed, fixes a synthetic
 * data set. Build one with {@link #builder()}, which fills in the defaults and the latent-size rule.
 *
 * @param numClasses number of classes K (1..100000; YouTube-8M has 3862 or 4716)
 * @param seed seed of the class parameters, the feature map and every video's random stream
 * @param rgbDim width of the visual block of a frame (1024 in YouTube-8M)
 * @param audioDim width of the audio block of a frame (128 in YouTube-8M)
 * @param latentDim dimension d of the latent space; see {@link #defaultLatentDim(int, int)}
 * @param minFrames shortest video, in frames (one frame per second)
 * @param maxFrames longest video; longer draws are cut here as the starter code cuts at 300
 * @param popularityExponent alpha of the seed-class prior pi_k proportional to (k + 1)^-alpha
 * @param maxModes largest number of modes (separate regions of latent space) of one class
 * @param multiModeRate probability of each extra mode beyond the first, M_k = 1 + Bin(maxModes - 1, rate)
 * @param classesPerTopic mean number of classes whose first mode lies in one topic (vertical)
 * @param meanSeeds mean number of (class, mode) seeds per video; 1 + Poisson(meanSeeds - 1), capped
 * @param sharpness beta, the slope of each mode's sigmoid in the inner product
 * @param threshold theta, the inner product at which a mode gives probability 1/2
 * @param latentNoise norm (root mean square) of the per-video isotropic latent noise xi
 * @param nuisanceScale standard deviation per feature of the slowly varying label-free nuisance
 * @param frameNoise standard deviation per feature and frame of the white noise
 * @param probabilityFloor classes with a true probability below it are not listed and have p = 0
 * @param minListed list at least this many classes (the top ones) even when below the floor
 * @param labelSource whether the labels come from the mean latent or from the latent path over time;
 *     its calibrated sharpness and threshold are the builder's defaults
 */
public record SynthConfig(
    int numClasses,
    long seed,
    int rgbDim,
    int audioDim,
    int latentDim,
    int minFrames,
    int maxFrames,
    double popularityExponent,
    int maxModes,
    double multiModeRate,
    int classesPerTopic,
    double meanSeeds,
    double sharpness,
    double threshold,
    double latentNoise,
    double nuisanceScale,
    double frameNoise,
    double probabilityFloor,
    int minListed,
    LabelSource labelSource) {

  /** The largest number of seeds a video can have, whatever {@code meanSeeds} is. */
  public static final int MAX_SEEDS = 6;

  public SynthConfig {
    require(numClasses >= 1 && numClasses <= 100_000, "numClasses", numClasses, "in 1..100000");
    require(rgbDim >= 0 && audioDim >= 0 && rgbDim + audioDim >= 1, "rgbDim+audioDim",
        rgbDim + "+" + audioDim, "non-negative with a positive sum");
    require(latentDim >= 2 && latentDim <= 4096, "latentDim", latentDim, "in 2..4096");
    require(minFrames >= 1, "minFrames", minFrames, ">= 1");
    require(maxFrames >= minFrames && maxFrames <= 100_000, "maxFrames", maxFrames,
        ">= minFrames (" + minFrames + ") and <= 100000");
    require(popularityExponent >= 0 && popularityExponent <= 4, "popularityExponent",
        popularityExponent, "in [0, 4]");
    require(maxModes >= 1 && maxModes <= 16, "maxModes", maxModes, "in 1..16");
    require(multiModeRate >= 0 && multiModeRate <= 1, "multiModeRate", multiModeRate, "in [0, 1]");
    require(classesPerTopic >= 1, "classesPerTopic", classesPerTopic, ">= 1");
    require(meanSeeds >= 1 && meanSeeds <= MAX_SEEDS, "meanSeeds", meanSeeds,
        "in [1, " + MAX_SEEDS + "]");
    require(sharpness > 0 && sharpness <= 1000, "sharpness", sharpness, "in (0, 1000]");
    require(threshold > 0 && threshold < 2, "threshold", threshold, "in (0, 2)");
    require(latentNoise >= 0 && latentNoise <= 2, "latentNoise", latentNoise, "in [0, 2]");
    require(nuisanceScale >= 0 && nuisanceScale <= 2, "nuisanceScale", nuisanceScale, "in [0, 2]");
    require(frameNoise >= 0 && frameNoise <= 2, "frameNoise", frameNoise, "in [0, 2]");
    require(probabilityFloor > 0 && probabilityFloor < 1, "probabilityFloor", probabilityFloor,
        "in (0, 1)");
    require(minListed >= 1, "minListed", minListed, ">= 1");
    require(labelSource != null, "labelSource", labelSource, "MEAN or SEGMENTS");
  }

  /** Width of one frame: rgb then audio. */
  public int featureDim() {
    return rgbDim + audioDim;
  }

  /**
   * The default latent size: d = 64 + 32 * ceil(log2(K / 10 + 1)), at most max(16, featureDim / 2).
   * It grows with the class count because unrelated mode vectors have inner products of order
   * 1/sqrt(d), and each of the ~2K modes adds to the spurious-label rate; the cap keeps the feature
   * map well conditioned so the latent stays recoverable from features (224 for K = 300, 352 for
   * K = 4716 at 1152 features).
   */
  public static int defaultLatentDim(int numClasses, int featureDim) {
    int steps = (int) Math.ceil(Math.log(numClasses / 10.0 + 1) / Math.log(2));
    int dim = 64 + 32 * Math.max(0, steps);
    return Math.max(2, Math.min(dim, Math.max(16, featureDim / 2)));
  }

  /**
   * A builder holding the defaults: 300 classes, 1024 + 128 features, 60..300 frames, labels from
   * the mean latent.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this configuration, to change a few fields. It keeps the latent size,
   * sharpness and threshold; call {@code latentDim(0)} to have the rule pick the size again for a
   * new class count, {@code sharpness(0)} and {@code threshold(0)} to take a new label source's.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.numClasses = numClasses;
    b.seed = seed;
    b.rgbDim = rgbDim;
    b.audioDim = audioDim;
    b.latentDim = latentDim;
    b.minFrames = minFrames;
    b.maxFrames = maxFrames;
    b.popularityExponent = popularityExponent;
    b.maxModes = maxModes;
    b.multiModeRate = multiModeRate;
    b.classesPerTopic = classesPerTopic;
    b.meanSeeds = meanSeeds;
    b.sharpness = sharpness;
    b.threshold = threshold;
    b.latentNoise = latentNoise;
    b.nuisanceScale = nuisanceScale;
    b.frameNoise = frameNoise;
    b.probabilityFloor = probabilityFloor;
    b.minListed = minListed;
    b.labelSource = labelSource;
    return b;
  }

  private static void require(boolean ok, String field, Object value, String expected) {
    if (!ok) {
      throw new IllegalArgumentException(
          "SynthConfig." + field + " = " + value + ": must be " + expected);
    }
  }

  /**
   * Mutable holder of {@link SynthConfig} fields; the latent size follows the rule, and sharpness
   * and threshold the label source's calibrated defaults, unless set.
   */
  public static final class Builder {
    private int numClasses = 300;
    private long seed = 1;
    private int rgbDim = 1024;
    private int audioDim = 128;
    private int latentDim = 0;
    private int minFrames = 60;
    private int maxFrames = 300;
    private double popularityExponent = 1.1;
    private int maxModes = 4;
    private double multiModeRate = 0.35;
    private int classesPerTopic = 12;
    private double meanSeeds = 2.5;
    private double sharpness = 0;
    private double threshold = 0;
    private double latentNoise = 0.15;
    private double nuisanceScale = 0.25;
    private double frameNoise = 0.2;
    private double probabilityFloor = 1e-4;
    private int minListed = 20;
    private LabelSource labelSource = LabelSource.MEAN;

    private Builder() {}

    public Builder numClasses(int v) { numClasses = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder rgbDim(int v) { rgbDim = v; return this; }
    public Builder audioDim(int v) { audioDim = v; return this; }
    /** Sets d explicitly; 0 restores the rule {@link SynthConfig#defaultLatentDim}. */
    public Builder latentDim(int v) { latentDim = v; return this; }
    public Builder minFrames(int v) { minFrames = v; return this; }
    public Builder maxFrames(int v) { maxFrames = v; return this; }
    public Builder frames(int min, int max) { minFrames = min; maxFrames = max; return this; }
    public Builder popularityExponent(double v) { popularityExponent = v; return this; }
    public Builder maxModes(int v) { maxModes = v; return this; }
    public Builder multiModeRate(double v) { multiModeRate = v; return this; }
    public Builder classesPerTopic(int v) { classesPerTopic = v; return this; }
    public Builder meanSeeds(double v) { meanSeeds = v; return this; }
    /** Sets beta; 0 restores the label source's default. */
    public Builder sharpness(double v) { sharpness = v; return this; }
    /** Sets theta; 0 restores the label source's default. */
    public Builder threshold(double v) { threshold = v; return this; }
    public Builder latentNoise(double v) { latentNoise = v; return this; }
    public Builder nuisanceScale(double v) { nuisanceScale = v; return this; }
    public Builder frameNoise(double v) { frameNoise = v; return this; }
    public Builder probabilityFloor(double v) { probabilityFloor = v; return this; }
    public Builder minListed(int v) { minListed = v; return this; }
    public Builder labelSource(LabelSource v) { labelSource = v; return this; }

    public SynthConfig build() {
      int d = latentDim != 0 ? latentDim : defaultLatentDim(numClasses, rgbDim + audioDim);
      LabelSource source = labelSource != null ? labelSource : LabelSource.MEAN;
      double beta = sharpness != 0 ? sharpness : source.defaultSharpness();
      double theta = threshold != 0 ? threshold : source.defaultThreshold();
      return new SynthConfig(numClasses, seed, rgbDim, audioDim, d, minFrames, maxFrames,
          popularityExponent, maxModes, multiModeRate, classesPerTopic, meanSeeds, beta, theta,
          latentNoise, nuisanceScale, frameNoise, probabilityFloor, minListed, labelSource);
    }
  }
}
