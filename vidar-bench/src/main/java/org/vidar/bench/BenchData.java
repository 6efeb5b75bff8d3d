package org.vidar.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;
import org.vidar.synth.LatentVideoModel;
import org.vidar.synth.SynthConfig;
import org.vidar.synth.SynthLayout;
import org.vidar.synth.SyntheticDatasetWriter;

/** The synthetic datasets the whole-job benchmarks share, written on first use. */
final class BenchData {
  private BenchData() {}

  /**
   * The quality benchmarks' data in {@code dir} (seed 7): {@code videos} video-level videos, a fifth
   * of them in the validate split, 8 files a split; kept when {@code dir} already holds them. The
   * arguments {@code maxModes=}, {@code multiModeRate=}, {@code sharpness=}, {@code labelsFrom=}
   * ({@code mean} or {@code segments}), {@code minFrames=} and {@code maxFrames=} change the task
   * from {@code vidar synth}'s defaults, as its options of the same names do.
   */
  static void qualitySplits(String dir, long videos, int classes, String[] args) throws IOException {
    qualitySplits(dir, videos, classes, args, false);
  }

  /**
   * The same data at the video level (the files under {@code dir/video}) or, when {@code frameLevel},
   * at the frame level only (under {@code dir/frame}); a {@code dir} written before for the other
   * level is refused.
   */
  static void qualitySplits(String dir, long videos, int classes, String[] args, boolean frameLevel)
      throws IOException {
    if (Files.exists(Paths.get(dir, "vocabulary.csv"))) {
      String level = frameLevel ? "frame" : "video";
      if (!Files.isDirectory(Paths.get(dir, level))) {
        throw new IOException(dir + " holds synthetic data without " + level + "-level files: give another dir=");
      }
      return;
    }
    long t = System.nanoTime();
    long validate = videos / 5;
    SynthConfig defaults = SynthConfig.builder().build();
    SynthConfig config = SynthConfig.builder().numClasses(classes).seed(7)
        .maxModes(Integer.parseInt(BenchArgs.get(args, "maxModes", "" + defaults.maxModes())))
        .multiModeRate(Double.parseDouble(BenchArgs.get(args, "multiModeRate", "" + defaults.multiModeRate())))
        // 0: the label source's own default
        .sharpness(Double.parseDouble(BenchArgs.get(args, "sharpness", "0")))
        .labelSource(org.vidar.synth.LabelSource.valueOf(BenchArgs.get(args, "labelsFrom", "mean")
            .toUpperCase(Locale.ROOT)))
        .frames(Integer.parseInt(BenchArgs.get(args, "minFrames", "" + defaults.minFrames())),
            Integer.parseInt(BenchArgs.get(args, "maxFrames", "" + defaults.maxFrames())))
        .build();
    new SyntheticDatasetWriter(new LatentVideoModel(config),
        new SynthLayout(dir, videos - validate, validate, 8, !frameLevel, frameLevel,
            Runtime.getRuntime().availableProcessors()))
        .write();
    System.out.printf(Locale.ROOT, "synthesized %d %s-level videos in %.0f s%n", videos, frameLevel ? "frame" : "video",
        (System.nanoTime() - t) / 1e9);
  }
}
