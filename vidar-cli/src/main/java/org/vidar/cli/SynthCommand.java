package org.vidar.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vidar.synth.LabelSource;
import org.vidar.synth.LatentVideoModel;
import org.vidar.synth.SynthConfig;
import org.vidar.synth.SynthLayout;
import org.vidar.synth.SyntheticDatasetWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vidar synth}: writes a synthetic YouTube-8M-like dataset with its true class probabilities. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Writes a synthetic dataset in the YouTube-8M formats (video-level Examples and frame-level "
        + "SequenceExamples), sharded and deterministic for a seed, with the true per-class probabilities "
        + "(the oracle's predictions, Kaggle format) and a vocabulary beside it.",
        "The generative model (power-law class frequencies, about 3 correlated labels per video, classes with "
        + "several modes, frames that vary over time) is described in OUT/synth.txt."})
final class SynthCommand implements Callable<Integer> {
  @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output directory (local path or Hadoop URI).")
  String out;

  @Option(names = {"-n", "--videos"}, defaultValue = "1000", description = "Videos in all (default: ${DEFAULT-VALUE}).")
  long videos;

  @Option(names = "--validate-fraction", defaultValue = "0.2",
      description = "Fraction of the videos in the validate split (default: ${DEFAULT-VALUE}).")
  double validateFraction;

  @Option(names = {"-c", "--classes"}, defaultValue = "300", description = "Classes (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--level", defaultValue = "both", description = "video, frame or both (default: ${DEFAULT-VALUE}).")
  String level;

  @Option(names = "--shards", description = "Files per split and level (default: one per 10,000 videos, at least 2 per thread).")
  Integer shards;

  @Option(names = "--min-frames", defaultValue = "60", description = "Shortest video in frames/seconds (default: ${DEFAULT-VALUE}).")
  int minFrames;

  @Option(names = "--max-frames", defaultValue = "300", description = "Longest video in frames/seconds (default: ${DEFAULT-VALUE}).")
  int maxFrames;

  @Option(names = "--max-modes", description = "Most modes (separate regions of the latent space) one class has; "
      + "more modes make a harder task that rewards more experts per class (default: 4).")
  Integer maxModes;

  @Option(names = "--multi-mode-rate", description = "Chance of each mode beyond a class's first; a class has "
      + "1 + Binomial(max-modes - 1, rate) modes (default: 0.35).")
  Double multiModeRate;

  @Option(names = "--sharpness", description = "Slope of each mode's sigmoid; lower is noisier labels (default: 30, or 16 with --labels-from segments).")
  Double sharpness;

  @Option(names = "--labels-from", defaultValue = "mean", paramLabel = "mean|segments",
      description = "What the true label probabilities come from: the mean latent (mean), or its path over time "
      + "(segments: a class shown strongly for a few seconds labels the video, though diluted in the mean, so "
      + "frame-level data carry more than the mean features) (default: ${DEFAULT-VALUE}).")
  LabelSource labelsFrom;

  @Option(names = "--threads", description = "Shards written at once (default: the number of cores).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    if (validateFraction < 0 || validateFraction >= 1) {
      throw new UsageException("--validate-fraction must lie in [0, 1), got " + validateFraction);
    }
    boolean videoLevel = level.equals("video") || level.equals("both");
    boolean frameLevel = level.equals("frame") || level.equals("both");
    if (!videoLevel && !frameLevel) {
      throw new UsageException("--level must be video, frame or both, got " + level);
    }
    int nThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    long validate = Math.round(videos * validateFraction);
    long train = videos - validate;
    int perSplit = shards != null ? shards
        : (int) Math.max(2L * nThreads, Math.min(100_000, (Math.max(train, validate) + 9_999) / 10_000));
    SynthConfig.Builder builder = SynthConfig.builder().numClasses(classes).seed(seed).frames(minFrames, maxFrames)
        .labelSource(labelsFrom);
    if (maxModes != null) {
      builder.maxModes(maxModes);
    }
    if (multiModeRate != null) {
      builder.multiModeRate(multiModeRate);
    }
    if (sharpness != null) {
      builder.sharpness(sharpness);
    }
    SynthConfig config = builder.build();
    SynthLayout layout = new SynthLayout(out, train, validate, perSplit, videoLevel, frameLevel, nThreads);
    Outputs outputs = Outputs.withoutInputs().folder("--out", out, null);
    layout.filesByFolder().forEach(outputs::temporaries);
    outputs.prepare(System.err);
    LatentVideoModel model = new LatentVideoModel(config);
    SyntheticDatasetWriter writer = new SyntheticDatasetWriter(model, layout);
    PrintStream o = System.out;
    long start = System.nanoTime();
    Thread progressThread = new Thread(() -> {
      try (Progress p = new Progress("synth", videos, "videos")) {
        while (!Thread.currentThread().isInterrupted()) {
          p.update(writer.videosWritten());
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            p.update(writer.videosWritten());
            return;
          }
        }
      }
    }, "synth-progress");
    progressThread.setDaemon(true);
    progressThread.start();
    try {
      writer.write();
    } finally {
      progressThread.interrupt();
      progressThread.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    o.printf(Locale.ROOT, "wrote %d train + %d validate videos, %d classes, to %s in %.1f s (%s of TFRecords)%n",
        train, validate, classes, out, seconds, Sizes.bytes(writer.bytesWritten()));
    o.println("  " + (videoLevel ? "video/  " : "") + (frameLevel ? "frame/  " : "")
        + "oracle/  vocabulary.csv  synth.txt");
    return ExitCodes.OK;
  }
}
