package org.vidar.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.LabelPolicy;
import org.vidar.data.RecordLayout;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;
import org.vidar.data.Vocabulary;
import org.vidar.math.KernelProvider;
import org.vidar.math.Kernels;
import org.vidar.math.NetlibKernels;
import org.vidar.math.SgemmProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vidar inspect}: what a set of TFRecord files holds, and whether every record is sound; with
 * {@code --system}, which kernels and BLAS this machine runs and how fast.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Reads TFRecord files and reports their records, keys, value types and sizes, the label "
        + "histogram, frames per video and bad records.",
        "Videos are counted as labelled (the labels key is there, perhaps with no labels) and unlabelled (no "
        + "labels key, like YouTube-8M's test split); label statistics are of the labelled ones.",
        "Exit codes: 0 all records sound, 1 a bad record (or other failure), 3 bad records skipped."})
final class InspectCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "FILES",
      description = "Files, directories or globs; local paths or Hadoop URIs. Required unless --system is given.")
  List<String> inputs;

  @Option(names = "--system", description = "Report the kernels, the BLAS library, the OpenBLAS core type and "
      + "a quick sgemm measurement (512x512x512, under 100 ms), with a warning when it is far below what the "
      + "CPU should give; before the files' report, if FILES are given.")
  boolean system;

  @Spec CommandSpec commandSpec;

  @Mixin DataOptions data;

  @Option(names = "--top", defaultValue = "10", description = "Classes shown in the label histogram (default: ${DEFAULT-VALUE}).")
  int top;

  @Override
  public Integer call() throws Exception {
    PrintStream out = System.out;
    if (system) {
      reportSystem(out);
    }
    if (inputs == null || inputs.isEmpty()) {
      if (system) {
        return ExitCodes.OK;
      }
      throw new CommandLine.ParameterException(commandSpec.commandLine(), "give FILES to inspect, or --system");
    }
    List<InputFile> files = DataPaths.resolve(inputs);
    long totalBytes = files.stream().mapToLong(InputFile::length).sum();
    Vocabulary vocab = data.loadVocabulary();
    // Without a vocabulary inspect checks nothing about label range: it reports the labels it finds.
    FeatureSpec spec = data.spec(files, data.givenClasses(vocab));
    out.printf(Locale.ROOT, "files: %d (%s)%n", files.size(), Sizes.bytes(totalBytes));
    out.println("level: " + (spec.level() == FeatureSpec.Level.VIDEO
        ? "video (tf.train.Example)" : "frame (tf.train.SequenceExample)"));
    out.println("first record:");
    for (RecordLayout.KeyInfo k : DataOptions.firstLayout(files, data.policy(), spec.level()).keys()) {
      out.println("  " + k);
    }
    out.println("reading as: features " + spec.features() + ", id key " + spec.idKeys()
        + ", labels key '" + spec.labelsKey() + "'");

    long videos = 0;
    long labelCount = 0;
    long unlabelled = 0;
    long emptyLabels = 0;
    int minLabels = Integer.MAX_VALUE;
    int maxLabels = 0;
    long frames = 0;
    int minFrames = Integer.MAX_VALUE;
    int maxFrames = 0;
    Map<Integer, long[]> histogram = new TreeMap<>();
    try (VideoReader reader = new VideoReader(files, spec, data.policy(), LabelPolicy.OPTIONAL);
        Progress progress = new Progress("inspect", totalBytes, "bytes")) {
      VideoRecord r;
      while ((r = reader.next()) != null) {
        videos++;
        int n = r.labels().length;
        if (r.labelled()) {
          labelCount += n;
          emptyLabels += n == 0 ? 1 : 0;
          minLabels = Math.min(minLabels, n);
          maxLabels = Math.max(maxLabels, n);
        } else {
          unlabelled++;
        }
        for (int label : r.labels()) {
          histogram.computeIfAbsent(label, k -> new long[1])[0]++;
        }
        frames += r.numFrames();
        minFrames = Math.min(minFrames, r.numFrames());
        maxFrames = Math.max(maxFrames, r.numFrames());
        if ((videos & 255) == 0) {
          progress.update(reader.bytesRead());
        }
      }
      progress.update(totalBytes);
      progress.close();  // before the report; closing twice is harmless
      out.printf(Locale.ROOT, "videos: %d%n", videos);
      long labelled = videos - unlabelled;
      if (videos > 0) {
        out.printf(Locale.ROOT, "labelled videos: %d; unlabelled videos (no '%s' key): %d%n", labelled,
            spec.labelsKey(), unlabelled);
      }
      if (labelled > 0) {
        out.printf(Locale.ROOT, "labels per labelled video: mean %.3f, min %d, max %d; with an empty label list: %d%n",
            (double) labelCount / labelled, minLabels, maxLabels, emptyLabels);
      }
      if (videos > 0) {
        if (spec.level() == FeatureSpec.Level.FRAME) {
          out.printf(Locale.ROOT, "frames per video: mean %.1f, min %d, max %d; videos cut to %d frames: %d%n",
              (double) frames / videos, minFrames, maxFrames, spec.maxFrames(), reader.truncatedVideos());
        }
      }
      out.printf(Locale.ROOT, "classes seen: %d%s%n", histogram.size(),
          histogram.isEmpty() ? "" : " (highest index " + ((TreeMap<Integer, long[]>) histogram).lastKey() + ")");
      List<Map.Entry<Integer, long[]>> ranked = new ArrayList<>(histogram.entrySet());
      ranked.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
      if (!ranked.isEmpty()) {
        out.println("most frequent classes:");
        for (Map.Entry<Integer, long[]> e : ranked.subList(0, Math.min(top, ranked.size()))) {
          String name = vocab != null && e.getKey() < vocab.size() ? "  " + vocab.name(e.getKey()) : "";
          out.printf(Locale.ROOT, "  %6d  %8d videos (%5.2f%% of labelled)%s%n", e.getKey(), e.getValue()[0],
              100.0 * e.getValue()[0] / labelled, name);
        }
      }
      long skipped = reader.skipped().total();
      out.println("bad records: " + skipped);
      if (skipped > 0) {
        out.print(reader.skipped().summary());
        return ExitCodes.SKIPPED_RECORDS;
      }
    }
    return ExitCodes.OK;
  }

  /** Kernels, library, core and a measured sgemm speed; a one-line warning on stderr when it is far too slow. */
  private static void reportSystem(PrintStream out) {
    Kernels kernels = KernelProvider.get();
    String core = KernelProvider.coreType();
    String threads = System.getenv("OPENBLAS_NUM_THREADS");
    out.println("kernels: " + kernels.name());
    out.println("library: " + KernelProvider.library());
    out.println("core: " + core + (core.equals("auto") ? " (OPENBLAS_CORETYPE unset)" : " (OPENBLAS_CORETYPE)"));
    SgemmProbe.Result probe = SgemmProbe.measure(kernels);
    double floor = probe.isa().floorGflops();
    out.println("cpu: " + probe.isa().label() + (floor > 0
        ? String.format(Locale.ROOT, ", one core should give sgemm above %.0f GFLOP/s", floor) : ""));
    out.printf(Locale.ROOT, "sgemm 512x512x512: %.1f GFLOP/s (best of %d; OPENBLAS_NUM_THREADS=%s)%n",
        probe.gflops(), probe.repetitions(), threads == null ? "unset, OpenBLAS uses every core" : threads);
    boolean nativeBlas = kernels instanceof NetlibKernels && ((NetlibKernels) kernels).isNative();
    SgemmProbe.warning(probe, nativeBlas, core).ifPresent(w -> System.err.println("vidar inspect: warning: " + w));
  }
}
