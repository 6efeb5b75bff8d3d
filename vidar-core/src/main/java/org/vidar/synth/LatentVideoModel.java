package org.vidar.synth;

import java.util.Arrays;
import java.util.Locale;

/**
 * A latent generative model of YouTube-8M-like videos: class parameters and the feature map are
 * drawn once from the seed, then any video index is generated alone, deterministically, from its
 * own random stream, so shards can be generated in parallel and in any order with identical results.
 *
 * <h2>Class structure (drawn once from the seed)</h2>
 *
 * <ul>
 *   <li>Topics (verticals): T = ceil(K / classesPerTopic) random unit centers c_tau in R^d. A random
 *       balanced assignment gives each class k a home topic tau(k); the most popular class of a
 *       topic (lowest index) is its hub, a generic class like YouTube-8M's "Game" or "Vehicle".
 *   <li>Modes: class k has M_k = 1 + Binomial(maxModes - 1, multiModeRate) unit mode vectors
 *       u_{k,m}. The first lies in the home topic, u_{k,0} = rho c_tau(k) + sqrt(1 - rho^2) v with v
 *       a random unit vector orthogonal to c_tau(k); rho = 0.92 for hubs, otherwise
 *       rho = 0.2 + 0.6 U^2 (1 - 0.6 k / K) with U uniform, so classes of one topic have mode inner
 *       products of about rho rho' (related classes, most loosely, a few closely, popular ones more
 *       central). Each further mode lies in another topic tau' and is pushed away from the first:
 *       u_{k,m} = normalize(rho' c_tau' + sqrt(1 - rho'^2) v' - 0.4 u_{k,0}), an inner product with
 *       u_{k,0} of about -0.37: the class is positive in separated, partly opposed regions, which
 *       one linear score cannot cover but a mixture of experts can.
 *   <li>Popularity: the seed prior is pi_k = (k + 1)^-alpha / sum_j (j + 1)^-alpha, so class
 *       index is popularity rank.
 *   <li>Feature map: A (F x d), B (F x 8), b (F) with independent Gaussian entries of standard
 *       deviation 0.35 g_i, nuisanceScale g_i / sqrt(8) and 0.1 g_i for feature row i, where
 *       g_i = 1 / sqrt(1 + i' / 128) and i' is the row's position within its block (rgb or
 *       audio): a decaying spectrum like that of the PCA-reduced YouTube-8M features.
 * </ul>
 *
 * <h2>One video (from the stream of its index)</h2>
 *
 * <ol>
 *   <li>Length: L = min(maxFrames, floor(minFrames (1.6 maxFrames / minFrames)^U)), U uniform: log
 *       uniform lengths, about a fifth of the videos cut at maxFrames.
 *   <li>Seeds: S = min(6, 1 + Poisson(meanSeeds - 1)) distinct classes c_s drawn from pi, each with
 *       a mode m_s uniform in 0..M_{c_s} - 1, a strength r_s (U(0.7, 1.2) for the first seed,
 *       U(0.8, 1.6) for the others) and a time window [t0_s, t1_s]: the first spans nearly the
 *       whole video (t0 in L U(-0.1, 0.15), t1 in L U(0.85, 1.1)), the others a segment of
 *       L U(0.15, 0.6) frames.
 *   <li>Envelopes: a_s(t) = sigma((t + 1/2 - t0_s) / w) sigma((t1_s - t - 1/2) / w) with
 *       w = 1 + 0.03 L, so components fade in and out.
 *   <li>Latent path: z_t = sum_s a_s(t) r_s u_{c_s,m_s} + xi, with xi ~ N(0, latentNoise^2 / d I);
 *       its mean over frames is zbar = sum_s abar_s r_s u_{c_s,m_s} + xi.
 *   <li>True probabilities (noisy-OR over modes):
 *       p_k = 1 - prod_m (1 - sigma(beta (u_{k,m} . zbar - theta))). Classes below
 *       probabilityFloor, except the minListed highest, are set to exactly 0; the rest are listed
 *       in the video. The listed values are the Bayes-oracle probabilities given the latent.
 *       With {@link LabelSource#SEGMENTS} the score of a mode is instead its peak over the path,
 *       s_{k,m} = max_t (1/W) sum_{t'=t}^{t+W-1} u_{k,m} . z_t' with W = {@value #SEGMENT_WINDOW}
 *       frames, so a class shown strongly for a few seconds labels the video though the mean
 *       dilutes it, as YouTube-8M's labels come from what parts of a video show. The latent path
 *       is the same as in the mean mode (the frames' noise is not: it is drawn after the labels),
 *       and the listed values are still the exact Bayes-oracle probabilities given it.
 *   <li>Labels: y_k ~ Bernoulli(p_k) independently, with exactly the listed float p_k.
 *   <li>Frames: x_t = clip(A z_t + B e_t + b + frameNoise eps_t, -2, 2), where e_t is an AR(1)
 *       nuisance (camera, lighting) with e_t = 0.9 e_{t-1} + sqrt(1 - 0.81) N(0, I_8) that carries
 *       no label information, and eps_t is unit-variance noise per value (an Irwin-Hall sum of
 *       four uniforms, see {@link SplitMix64#addNoiseAndClip}).
 * </ol>
 *
 * <p>Calibration with the defaults (seed 11, 1500 videos, {@code LatentVideoModelCalibrationTest}):
 * K = 300 (d = 224, 630 modes): 2.88 labels per video, 0.005 of them unrelated to any seed's topic,
 * 68% of seeds labelled, Bayes-oracle GAP@20 0.950; K = 4716 (d = 352, 9620 modes): 2.95 labels,
 * 0.025 unrelated, oracle GAP@20 0.946. The unrelated rate stays small because each unrelated mode
 * adds about exp(-beta theta + beta^2 |zbar|^2 / 2d), and beta theta = 13.5. With seed 2024 and
 * K = 300 the top 10% of classes hold 64% of the positives, 1.2e-4 of frame values reach the clip
 * limit, and frames around their video mean have a lag-1 autocorrelation of 0.43.
 *
 * <p>Labels from segments (beta = 16, theta = 0.8, calibrated to the same ranges; same test, seed
 * 11): K = 300: 2.93 labels per video, 0.004 unrelated, 87% of seeds labelled, oracle GAP@20 0.954;
 * K = 4716: 2.90 labels, 0.029 unrelated, oracle GAP@20 0.944. About 5% of the videos then have no
 * label (0.1% in the mean mode): a spanning seed drawn weak (r below theta) rarely labels its video.
 * The mean latent loses what these labels depend on: the oracle's own formula on zbar, at its best
 * beta and theta, ranks them with GAP@20 0.713 (K = 300), and a logistic-MoE model trained by
 * {@code vidar train} on 8,000 videos' mean features reaches 0.763 against the oracle's 0.955 (0.902
 * against 0.954 in the mean mode). A Deep Bag of Frames on the same videos' frames (max pooling,
 * 512-wide layers, learning rate 0.01, one round) gets 0.699 there, and 0.686 in the mean mode: it
 * trails the mean features by 0.064 instead of 0.216.
 *
 * <p>Cost: the mode scores u . zbar are d axpys over a float array of all modes, and frames are
 * axpys of the precomputed rows A u_s; exponentials use {@link PortableMath} and logarithms
 * StrictMath, so results are the same on every machine. A video (mean 180 frames x 1152) takes
 * about 1.2 ms at K = 300 and 2.8 ms at K = 4716 on one core of a loaded 2-core machine. Labels from
 * segments add S + 1 passes over the mode matrix (the overlaps u_g . u_s and u_g . xi) and S axpys
 * over all modes per frame: nothing measurable at K = 300, about 2 ms a video at K = 4716.
 * Instances are immutable and thread-safe; no state grows with the number of videos generated.
 */
public final class LatentVideoModel {
  private static final long MODEL_DOMAIN = 0x5EED0F3A11C1A55EL;
  private static final long VIDEO_DOMAIN = 0x7A1D0F5EEDF00D01L;

  static final int NUISANCE_DIM = 8;
  private static final double NUISANCE_PERSISTENCE = 0.9;
  private static final double MIX_SCALE = 0.35;
  private static final double BIAS_SCALE = 0.1;
  private static final double GAIN_HALF_WIDTH = 128;
  private static final double HUB_AFFINITY = 0.92;
  private static final double AFFINITY_MIN = 0.2;
  private static final double AFFINITY_SPREAD = 0.6;
  private static final double AFFINITY_RANK_DECAY = 0.6;
  private static final double ANTI_ALIGNMENT = 0.4;
  private static final double LENGTH_OVERSHOOT = 1.6;
  private static final int SEED_RETRIES = 16;
  private static final float FEATURE_LIMIT = 2f;
  /** W, the frames of the moving average whose peak scores a mode when labels come from segments. */
  static final int SEGMENT_WINDOW = 5;

  private final SynthConfig config;
  private final int numClasses;
  private final int dim;
  private final int featureDim;
  private final int numTopics;
  private final int[] topicOfClass;
  private final int[] hubOfTopic;
  private final double[] popularityCdf;
  private final double[] popularity;
  /** Global mode index range of class k: [modeStart[k], modeStart[k + 1]). */
  private final int[] modeStart;
  private final int[] topicOfMode;
  private final int totalModes;
  /*
   * Matrices are stored transposed, one array per latent coordinate, so every product is a run of
   * axpys y[j] += c x[j] over two arrays indexed alike: C2 vectorizes those, while with offsets
   * into one flat array it must assume aliasing and stays scalar.
   */
  /** Mode vectors: modeRows[i][g] is coordinate i of global mode g. */
  private final float[][] modeRows;
  /** A transposed: mixRows[i][j] = A[j][i]. */
  private final float[][] mixRows;
  /** B transposed: nuisanceRows[e][j] = B[j][e]. */
  private final float[][] nuisanceRows;
  private final float[] bias;

  /** Draws the class parameters and feature map of {@code config} from its seed. */
  public LatentVideoModel(SynthConfig config) {
    this.config = config;
    this.numClasses = config.numClasses();
    this.dim = config.latentDim();
    this.featureDim = config.featureDim();
    SplitMix64 rng = new SplitMix64(SplitMix64.streamSeed(config.seed(), MODEL_DOMAIN, 0));

    popularity = new double[numClasses];
    popularityCdf = new double[numClasses];
    double z = 0;
    for (int k = 0; k < numClasses; k++) {
      popularity[k] = StrictMath.pow(k + 1, -config.popularityExponent());
      z += popularity[k];
    }
    double acc = 0;
    for (int k = 0; k < numClasses; k++) {
      popularity[k] /= z;
      acc += popularity[k];
      popularityCdf[k] = acc;
    }
    popularityCdf[numClasses - 1] = 1.0;

    numTopics = (numClasses + config.classesPerTopic() - 1) / config.classesPerTopic();
    int[] perm = new int[numClasses];
    for (int k = 0; k < numClasses; k++) {
      perm[k] = k;
    }
    for (int i = numClasses - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    topicOfClass = new int[numClasses];
    for (int i = 0; i < numClasses; i++) {
      topicOfClass[perm[i]] = i % numTopics;
    }
    hubOfTopic = new int[numTopics];
    Arrays.fill(hubOfTopic, -1);
    for (int k = 0; k < numClasses; k++) {
      if (hubOfTopic[topicOfClass[k]] < 0) {
        hubOfTopic[topicOfClass[k]] = k;
      }
    }

    double[][] centers = new double[numTopics][];
    for (int t = 0; t < numTopics; t++) {
      centers[t] = randomUnit(rng, null);
    }

    modeStart = new int[numClasses + 1];
    int[] modeCounts = new int[numClasses];
    for (int k = 0; k < numClasses; k++) {
      int m = 1;
      for (int e = 1; e < config.maxModes(); e++) {
        if (rng.nextDouble() < config.multiModeRate()) {
          m++;
        }
      }
      modeCounts[k] = m;
      modeStart[k + 1] = modeStart[k] + m;
    }
    totalModes = modeStart[numClasses];
    topicOfMode = new int[totalModes];
    modeRows = new float[dim][totalModes];
    for (int k = 0; k < numClasses; k++) {
      int home = topicOfClass[k];
      boolean hub = hubOfTopic[home] == k;
      double rho = hub ? HUB_AFFINITY : drawAffinity(rng, k);
      double[] first = nearTopic(rng, centers[home], rho);
      storeMode(modeStart[k], first, home);
      for (int m = 1; m < modeCounts[k]; m++) {
        int topic = otherTopic(rng, k, m);
        double[] u = nearTopic(rng, centers[topic], drawAffinity(rng, k));
        for (int i = 0; i < dim; i++) {
          u[i] -= ANTI_ALIGNMENT * first[i];
        }
        normalize(u);
        storeMode(modeStart[k] + m, u, topic);
      }
    }

    mixRows = new float[dim][featureDim];
    nuisanceRows = new float[NUISANCE_DIM][featureDim];
    bias = new float[featureDim];
    double[] gain = new double[featureDim];
    for (int j = 0; j < featureDim; j++) {
      int inBlock = j < config.rgbDim() ? j : j - config.rgbDim();
      gain[j] = 1 / StrictMath.sqrt(1 + inBlock / GAIN_HALF_WIDTH);
    }
    for (int i = 0; i < dim; i++) {
      for (int j = 0; j < featureDim; j++) {
        mixRows[i][j] = (float) (MIX_SCALE * gain[j] * rng.nextGaussian());
      }
    }
    double nuisanceStd = config.nuisanceScale() / StrictMath.sqrt(NUISANCE_DIM);
    for (int e = 0; e < NUISANCE_DIM; e++) {
      for (int j = 0; j < featureDim; j++) {
        nuisanceRows[e][j] = (float) (nuisanceStd * gain[j] * rng.nextGaussian());
      }
    }
    for (int j = 0; j < featureDim; j++) {
      bias[j] = (float) (BIAS_SCALE * gain[j] * rng.nextGaussian());
    }
  }

  /** The configuration this model was drawn from. */
  public SynthConfig config() {
    return config;
  }

  public int numClasses() {
    return numClasses;
  }

  public int latentDim() {
    return dim;
  }

  public int featureDim() {
    return featureDim;
  }

  public int numTopics() {
    return numTopics;
  }

  /** The home topic of class k (the topic of its first mode). */
  public int topicOf(int k) {
    return topicOfClass[k];
  }

  /** The hub of a topic: its most popular class. */
  public int hubOf(int topic) {
    return hubOfTopic[topic];
  }

  /** The number of modes M_k of class k. */
  public int modeCount(int k) {
    return modeStart[k + 1] - modeStart[k];
  }

  /** The topic in which mode m of class k lies. */
  public int modeTopic(int k, int m) {
    return topicOfMode[modeStart[k] + m];
  }

  /** The prior probability pi_k that a seed is class k. */
  public double seedPrior(int k) {
    return popularity[k];
  }

  /** The total number of modes over all classes. */
  public int totalModes() {
    return totalModes;
  }

  /** Mode m of class k as a new double vector of length d (for analysis, not hot paths). */
  double[] modeVector(int k, int m) {
    int g = modeStart[k] + m;
    double[] u = new double[dim];
    for (int i = 0; i < dim; i++) {
      u[i] = modeRows[i][g];
    }
    return u;
  }

  /**
   * Generates video {@code index}: a pure function of the configuration and the index.
   *
   * @throws IllegalArgumentException if the index is negative or at least {@link VideoIds#MAX_INDEX}
   */
  public SyntheticVideo video(long index) {
    String id = VideoIds.id(config.seed(), index);
    SplitMix64 rng = new SplitMix64(SplitMix64.streamSeed(config.seed(), VIDEO_DOMAIN, index));
    Latent latent = drawLatent(rng);

    float[] prob = config.labelSource() == LabelSource.MEAN
        ? classProbabilities(latent.zbar())
        : pathProbabilities(latent);
    long[] ranked = rankListed(prob);
    int listed = ranked.length;
    int[] probClasses = new int[listed];
    float[] probValues = new float[listed];
    int[] labelBuf = new int[listed];
    int numLabels = 0;
    for (int r = 0; r < listed; r++) {
      int k = (int) (0xFFFFFFFFL - (ranked[r] & 0xFFFFFFFFL));
      float p = prob[k];
      probClasses[r] = k;
      probValues[r] = p;
      if (rng.nextDouble() < p) {
        labelBuf[numLabels++] = k;
      }
    }
    int[] labels = Arrays.copyOf(labelBuf, numLabels);
    Arrays.sort(labels);

    float[] frames =
        renderFrames(rng, latent.length(), latent.seedGlobal(), latent.coef(), latent.xi());
    return new SyntheticVideo(index, id, labels, latent.length(), featureDim, frames, probClasses,
        probValues, latent.seedClass(), latent.seedMode());
  }

  /**
   * The latent path of one video before its labels and frames are drawn.
   *
   * @param coef a_s(t) r_s, seed-major: coef[s * length + t]
   * @param seedGlobal global mode index of each seed
   */
  record Latent(int length, int[] seedClass, int[] seedMode, int[] seedGlobal, float[] coef,
      double[] xi, float[] zbar) {}

  /** Video {@code index}'s latent path (for analysis: the same draws as {@link #video}). */
  Latent latent(long index) {
    return drawLatent(new SplitMix64(SplitMix64.streamSeed(config.seed(), VIDEO_DOMAIN, index)));
  }

  private Latent drawLatent(SplitMix64 rng) {
    int length = drawLength(rng);

    // Seeds: distinct classes by popularity, a mode each.
    int maxSeeds = Math.min(SynthConfig.MAX_SEEDS, numClasses);
    int wanted = Math.min(maxSeeds, 1 + rng.nextPoisson(config.meanSeeds() - 1));
    int[] seedClass = new int[wanted];
    int[] seedMode = new int[wanted];
    int numSeeds = 0;
    for (int s = 0; s < wanted; s++) {
      int c = -1;
      for (int attempt = 0; attempt < SEED_RETRIES && c < 0; attempt++) {
        int candidate = drawClass(rng);
        if (!contains(seedClass, numSeeds, candidate)) {
          c = candidate;
        }
      }
      if (c < 0) {
        break;
      }
      seedClass[numSeeds] = c;
      seedMode[numSeeds] = rng.nextInt(modeCount(c));
      numSeeds++;
    }
    seedClass = Arrays.copyOf(seedClass, numSeeds);
    seedMode = Arrays.copyOf(seedMode, numSeeds);

    // Envelopes a_s(t) r_s, and their means.
    float[] coef = new float[numSeeds * length];
    double[] meanCoef = new double[numSeeds];
    double fade = 1 + 0.03 * length;
    for (int s = 0; s < numSeeds; s++) {
      double strength;
      double t0;
      double t1;
      if (s == 0) {
        strength = rng.uniform(0.7, 1.2);
        t0 = length * rng.uniform(-0.1, 0.15);
        t1 = length * rng.uniform(0.85, 1.1);
      } else {
        strength = rng.uniform(0.8, 1.6);
        double span = length * rng.uniform(0.15, 0.6);
        t0 = rng.uniform(0, length - span);
        t1 = t0 + span;
      }
      double sum = 0;
      for (int t = 0; t < length; t++) {
        double mid = t + 0.5;
        double a = sigmoid((mid - t0) / fade) * sigmoid((t1 - mid) / fade) * strength;
        coef[s * length + t] = (float) a;
        sum += a;
      }
      meanCoef[s] = sum / length;
    }

    // zbar = sum_s mean(a_s) r_s u_s + xi.
    double[] xi = new double[dim];
    double xiStd = config.latentNoise() / StrictMath.sqrt(dim);
    for (int i = 0; i < dim; i++) {
      xi[i] = xiStd * rng.nextGaussian();
    }
    int[] seedGlobal = new int[numSeeds];
    for (int s = 0; s < numSeeds; s++) {
      seedGlobal[s] = modeStart[seedClass[s]] + seedMode[s];
    }
    float[] zbar = new float[dim];
    for (int i = 0; i < dim; i++) {
      double v = xi[i];
      for (int s = 0; s < numSeeds; s++) {
        v += meanCoef[s] * modeRows[i][seedGlobal[s]];
      }
      zbar[i] = (float) v;
    }
    return new Latent(length, seedClass, seedMode, seedGlobal, coef, xi, zbar);
  }

  /** p_k = 1 - prod_m (1 - sigma(beta (u_{k,m} . zbar - theta))), for every class. */
  float[] classProbabilities(float[] zbar) {
    return classProbabilities(zbar, config.sharpness(), config.threshold());
  }

  /** The mean-mode probabilities of {@code zbar} with another beta and theta (for analysis). */
  float[] classProbabilities(float[] zbar, double beta, double theta) {
    float[] scores = new float[totalModes];
    for (int i = 0; i < dim; i++) {
      axpy(zbar[i], modeRows[i], scores, totalModes);
    }
    return noisyOr(scores, beta, theta);
  }

  /**
   * The segment-mode scores s_{k,m} = max over t of (1/W) sum_{t'=t}^{t+W-1} u_{k,m} . z_t', with
   * W = min(SEGMENT_WINDOW, L). As z_t = sum_s a_s(t) r_s u_s + xi is linear in the envelopes,
   * the moving average of u_g . z_t is sum_s abar_s^W(t) (u_g . u_s) + u_g . xi, with abar_s^W the
   * moving average of a_s r_s: the mode overlaps u_g . u_s are S + 1 passes over the mode matrix,
   * then each window is S axpys over all modes.
   */
  float[] pathScores(Latent latent) {
    int numSeeds = latent.seedGlobal().length;
    int length = latent.length();
    float[][] overlap = new float[numSeeds][totalModes];
    float[] offset = new float[totalModes];
    for (int i = 0; i < dim; i++) {
      float[] row = modeRows[i];
      axpy((float) latent.xi()[i], row, offset, totalModes);
      for (int s = 0; s < numSeeds; s++) {
        axpy(row[latent.seedGlobal()[s]], row, overlap[s], totalModes);
      }
    }
    int window = Math.min(SEGMENT_WINDOW, length);
    float[] coef = latent.coef();
    double[] windowSum = new double[numSeeds];
    for (int s = 0; s < numSeeds; s++) {
      for (int t = 0; t < window - 1; t++) {
        windowSum[s] += coef[s * length + t];
      }
    }
    float[] best = new float[totalModes];
    Arrays.fill(best, Float.NEGATIVE_INFINITY);
    float[] score = new float[totalModes];
    for (int t = window - 1; t < length; t++) {
      System.arraycopy(offset, 0, score, 0, totalModes);
      for (int s = 0; s < numSeeds; s++) {
        windowSum[s] += coef[s * length + t];
        axpy((float) (windowSum[s] / window), overlap[s], score, totalModes);
        windowSum[s] -= coef[s * length + t - window + 1];
      }
      for (int g = 0; g < totalModes; g++) {
        best[g] = Math.max(best[g], score[g]);
      }
    }
    return best;
  }

  /** p_k = 1 - prod_m (1 - sigma(beta (s_{k,m} - theta))) with the path scores s of {@link #pathScores}. */
  float[] pathProbabilities(Latent latent) {
    return noisyOr(pathScores(latent), config.sharpness(), config.threshold());
  }

  private float[] noisyOr(float[] scores, double beta, double theta) {
    float[] prob = new float[numClasses];
    for (int k = 0; k < numClasses; k++) {
      double miss = 1;
      for (int g = modeStart[k]; g < modeStart[k + 1]; g++) {
        // 1 - sigma(x) = 1 / (1 + e^x): exact in the tail where sigma(x) underflows against 1.
        miss /= 1 + PortableMath.exp(beta * (scores[g] - theta));
      }
      prob[k] = (float) (1 - miss);
    }
    return prob;
  }

  /**
   * Keys of the listed classes, best first: each key is the probability's float bits (order
   * preserving for non-negative floats) over the complement of the class, so ties go to the lower
   * class index.
   */
  private long[] rankListed(float[] prob) {
    float floor = (float) config.probabilityFloor();
    int aboveFloor = 0;
    for (int k = 0; k < numClasses; k++) {
      if (prob[k] >= floor) {
        aboveFloor++;
      }
    }
    int keep = Math.max(aboveFloor, Math.min(config.minListed(), numClasses));
    boolean all = aboveFloor < keep;
    long[] keys = new long[all ? numClasses : aboveFloor];
    int n = 0;
    for (int k = 0; k < numClasses; k++) {
      if (all || prob[k] >= floor) {
        keys[n++] = ((long) Float.floatToIntBits(prob[k]) << 32) | (0xFFFFFFFFL - k);
      }
    }
    Arrays.sort(keys);
    long[] ranked = new long[keep];
    for (int r = 0; r < keep; r++) {
      ranked[r] = keys[keys.length - 1 - r];
    }
    return ranked;
  }

  private float[] renderFrames(
      SplitMix64 rng, int length, int[] seedGlobal, float[] coef, double[] xi) {
    int f = featureDim;
    int numSeeds = seedGlobal.length;
    // Rows A u_s, and the constant part b + A xi.
    float[][] seedRows = new float[numSeeds][f];
    float[] base = bias.clone();
    for (int i = 0; i < dim; i++) {
      float[] mixRow = mixRows[i];
      axpy((float) xi[i], mixRow, base, f);
      for (int s = 0; s < numSeeds; s++) {
        axpy(modeRows[i][seedGlobal[s]], mixRow, seedRows[s], f);
      }
    }

    float[] frames = new float[length * f];
    float[] row = new float[f];
    double[] nuisance = new double[NUISANCE_DIM];
    for (int e = 0; e < NUISANCE_DIM; e++) {
      nuisance[e] = rng.nextGaussian();
    }
    double innovation = StrictMath.sqrt(1 - NUISANCE_PERSISTENCE * NUISANCE_PERSISTENCE);
    float noise = (float) config.frameNoise();
    for (int t = 0; t < length; t++) {
      System.arraycopy(base, 0, row, 0, f);
      for (int s = 0; s < numSeeds; s++) {
        axpy(coef[s * length + t], seedRows[s], row, f);
      }
      if (t > 0) {
        for (int e = 0; e < NUISANCE_DIM; e++) {
          nuisance[e] = NUISANCE_PERSISTENCE * nuisance[e] + innovation * rng.nextGaussian();
        }
      }
      for (int e = 0; e < NUISANCE_DIM; e++) {
        axpy((float) nuisance[e], nuisanceRows[e], row, f);
      }
      rng.addNoiseAndClip(row, 0, f, noise, FEATURE_LIMIT);
      System.arraycopy(row, 0, frames, t * f, f);
    }
    return frames;
  }

  /** y[j] += c x[j] for j < n. */
  private static void axpy(float c, float[] x, float[] y, int n) {
    for (int j = 0; j < n; j++) {
      y[j] += c * x[j];
    }
  }

  private int drawLength(SplitMix64 rng) {
    int min = config.minFrames();
    int max = config.maxFrames();
    double ratio = LENGTH_OVERSHOOT * max / min;
    int length = (int) (min * StrictMath.pow(ratio, rng.nextDouble()));
    return Math.max(min, Math.min(max, length));
  }

  private int drawClass(SplitMix64 rng) {
    double u = rng.nextDouble();
    int lo = 0;
    int hi = numClasses - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (popularityCdf[mid] > u) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  private int otherTopic(SplitMix64 rng, int k, int m) {
    if (numTopics == 1) {
      return 0;
    }
    // Prefer a topic no earlier mode of k uses, so the modes are well separated.
    int topic = 0;
    for (int attempt = 0; attempt < SEED_RETRIES; attempt++) {
      topic = rng.nextInt(numTopics);
      boolean used = false;
      for (int e = 0; e < m; e++) {
        used |= topicOfMode[modeStart[k] + e] == topic;
      }
      if (!used) {
        break;
      }
    }
    return topic;
  }

  /**
   * rho = 0.2 + 0.6 U^2 (1 - 0.6 k / K): skewed low so that most classes of a topic are loosely
   * related and a few are close, which keeps co-activated labels near one per video; and smaller
   * for rarer classes (niche entities sit far from their vertical's center), or else labels
   * borrowed from popular neighbours would flatten the tail of the power law.
   */
  private double drawAffinity(SplitMix64 rng, int k) {
    double u = rng.nextDouble();
    return AFFINITY_MIN
        + AFFINITY_SPREAD * u * u * (1 - AFFINITY_RANK_DECAY * k / (double) numClasses);
  }

  private void storeMode(int g, double[] u, int topic) {
    topicOfMode[g] = topic;
    for (int i = 0; i < dim; i++) {
      modeRows[i][g] = (float) u[i];
    }
  }

  /** rho c + sqrt(1 - rho^2) v with v a random unit vector orthogonal to c: exactly rho from c. */
  private double[] nearTopic(SplitMix64 rng, double[] center, double rho) {
    double[] v = randomUnit(rng, center);
    double side = StrictMath.sqrt(1 - rho * rho);
    double[] u = new double[dim];
    for (int i = 0; i < dim; i++) {
      u[i] = rho * center[i] + side * v[i];
    }
    return u;
  }

  private double[] randomUnit(SplitMix64 rng, double[] orthogonalTo) {
    double[] v = new double[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = rng.nextGaussian();
    }
    if (orthogonalTo != null) {
      double dot = 0;
      for (int i = 0; i < dim; i++) {
        dot += v[i] * orthogonalTo[i];
      }
      for (int i = 0; i < dim; i++) {
        v[i] -= dot * orthogonalTo[i];
      }
    }
    normalize(v);
    return v;
  }

  private static void normalize(double[] v) {
    double sq = 0;
    for (double x : v) {
      sq += x * x;
    }
    double inv = 1 / StrictMath.sqrt(sq);
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
  }

  private static boolean contains(int[] a, int n, int x) {
    for (int i = 0; i < n; i++) {
      if (a[i] == x) {
        return true;
      }
    }
    return false;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + PortableMath.exp(-x));
  }

  /** A few lines summarizing the model, for a data set's README or metadata file. */
  public String describe() {
    int[] hist = new int[config.maxModes() + 1];
    for (int k = 0; k < numClasses; k++) {
      hist[modeCount(k)]++;
    }
    StringBuilder modes = new StringBuilder();
    for (int m = 1; m < hist.length; m++) {
      if (hist[m] > 0) {
        modes.append(modes.length() == 0 ? "" : ", ").append(hist[m]).append(" with ").append(m);
      }
    }
    SynthConfig c = config;
    // The mean mode's line is kept as it was, so its synth.txt stays byte for byte the same.
    String modeScore = c.labelSource() == LabelSource.MEAN
        ? "u_km . zbar"
        : "max_t mean_{t'=t..t+" + (SEGMENT_WINDOW - 1) + "} u_km . z_t'";
    return String.format(Locale.ROOT,
        "Vidar synthetic YouTube-8M-like data (LatentVideoModel), seed %d%n"
            + "classes: %d in %d topics (hub + ~%d related classes each), %d modes (%s)%n"
            + "seed prior: pi_k ~ (k+1)^-%.3g; seeds per video: 1 + Poisson(%.3g), at most %d%n"
            + "latent: d = %d, zbar = sum_s abar_s r_s u_s + xi, |xi| ~ %.3g%n"
            + "labels: p_k = 1 - prod_m (1 - sigmoid(%.3g (%s - %.3g))), y_k ~ Bernoulli(p_k);"
            + " listed if p_k >= %.3g (top %d always), else p_k = 0%n"
            + "frames: %d..%d per video (log-uniform, cut at the max), %d features (rgb %d + audio %d),"
            + " x_t = clip(A z_t + B e_t + b + %.3g eps, -2, 2), nuisance %.3g%n",
        c.seed(), numClasses, numTopics, c.classesPerTopic(), totalModes, modes,
        c.popularityExponent(), c.meanSeeds() - 1, Math.min(SynthConfig.MAX_SEEDS, numClasses),
        dim, c.latentNoise(), c.sharpness(), modeScore, c.threshold(), c.probabilityFloor(),
        c.minListed(),
        c.minFrames(), c.maxFrames(), featureDim, c.rgbDim(), c.audioDim(), c.frameNoise(),
        c.nuisanceScale());
  }
}
