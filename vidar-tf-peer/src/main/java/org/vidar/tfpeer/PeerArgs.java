package org.vidar.tfpeer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the command line into a {@link PeerConfig}. {@code --train} and {@code --validate} take every
 * following argument up to the next option (so a shell glob works unquoted) and may repeat; the
 * other options take one value, as {@code --name value} or {@code --name=value}.
 */
final class PeerArgs {
  static final String USAGE = String.join("\n",
      "Usage: java -cp CLASSPATH org.vidar.tfpeer.TfPeer --train FILE... --validate FILE... --out DIR",
      "         [options]",
      "Trains the YouTube-8M starter code's models with TensorFlow on video-level TFRecords (moe, mlp)",
      "or frame-level TFRecords (dbof),",
      "scores the validation videos after every epoch (DIR/epoch-NNN.csv) and logs DIR/log.tsv.",
      "  --train FILE...        training TFRecords: files, directories, globs, comma-separated lists",
      "  --validate FILE...     validation TFRecords scored after every epoch",
      "  --out DIR              output directory (created)",
      "  --classes N            vocabulary size (default 3862, YouTube-8M 2018)",
      "  --model moe|mlp|dbof   moe: MoeModel on the input; mlp: dense ReLU layer, then MoE;",
      "                         dbof: DbofModel on sampled frames, then MoE (default moe)",
      "  --epochs N             (default 10)",
      "  --batch N              videos per step (default 1024; 256 for dbof)",
      "  --lr X                 Adam learning rate (default 0.01; 0.001 for dbof)",
      "  --hidden N             mlp hidden units, dbof video-level units (default 1024)",
      "  --experts N            experts per class (default 2 for moe and dbof, 4 for mlp)",
      "  --cluster-size N       dbof per-frame layer units (default 1024)",
      "  --sample-frames N      dbof frames drawn per video per step, with replacement (default 30)",
      "  --bn-decay X           dbof batch norm moving-average decay, after a warm-up (default 0.99)",
      "  --clip X               per-tensor gradient norm limit, 0 = off (default 1.0)",
      "  --seed N               initial weights and shuffles (default 1)",
      "  --top-k N              classes per video in the CSVs (default 20)",
      "  --intra-op-threads N   TensorFlow intra-op threads, 0 = TensorFlow's default (default 0)",
      "  --inter-op-threads N   TensorFlow inter-op threads, 0 = TensorFlow's default (default 0)",
      "  --help");

  private static final Set<String> LISTS = Set.of("train", "validate");
  private static final Set<String> SINGLES = Set.of("out", "classes", "model", "epochs", "batch", "lr",
      "hidden", "experts", "clip", "seed", "top-k", "intra-op-threads", "inter-op-threads",
      "cluster-size", "sample-frames", "bn-decay");

  private PeerArgs() {}

  /** True when the arguments ask for help. */
  static boolean wantsHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The configuration the arguments describe.
   *
   * @throws IllegalArgumentException naming the offending option
   */
  static PeerConfig parse(String[] args) {
    Map<String, List<String>> lists = new HashMap<>();
    Map<String, String> singles = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + arg + "' (not after --train or --validate)");
      }
      String name = arg.substring(2);
      String inline = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (LISTS.contains(name)) {
        List<String> values = lists.computeIfAbsent(name, k -> new ArrayList<>());
        if (inline != null) {
          values.add(inline);
        }
        while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
          values.add(args[++i]);
        }
      } else if (SINGLES.contains(name)) {
        if (inline == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("--" + name + " needs a value");
          }
          inline = args[++i];
        }
        if (singles.put(name, inline) != null) {
          throw new IllegalArgumentException("--" + name + " given twice");
        }
      } else {
        throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    String out = singles.get("out");
    if (out == null) {
      throw new IllegalArgumentException("--out DIR is required");
    }
    ModelKind model = ModelKind.parse(singles.getOrDefault("model", "moe"));
    return new PeerConfig(
        lists.getOrDefault("train", List.of()),
        lists.getOrDefault("validate", List.of()),
        intOf(singles, "classes", 3862),
        model,
        intOf(singles, "epochs", 10),
        intOf(singles, "batch", model.defaultBatch()),
        floatOf(singles, "lr", model.defaultLearningRate()),
        intOf(singles, "hidden", 1024),
        intOf(singles, "experts", model.defaultExperts()),
        floatOf(singles, "clip", 1.0f),
        longOf(singles, "seed", 1),
        Path.of(out),
        intOf(singles, "intra-op-threads", 0),
        intOf(singles, "inter-op-threads", 0),
        intOf(singles, "top-k", 20),
        intOf(singles, "cluster-size", 1024),
        intOf(singles, "sample-frames", 30),
        floatOf(singles, "bn-decay", 0.99f));
  }

  private static int intOf(Map<String, String> singles, String name, int fallback) {
    return parsed(singles, name, fallback, Integer::valueOf, "an integer");
  }

  private static long longOf(Map<String, String> singles, String name, long fallback) {
    return parsed(singles, name, fallback, Long::valueOf, "an integer");
  }

  private static float floatOf(Map<String, String> singles, String name, float fallback) {
    return parsed(singles, name, fallback, Float::valueOf, "a number");
  }

  /** The option's value parsed, the fallback when absent; a value that does not parse is named in the error. */
  private static <T> T parsed(Map<String, String> singles, String name, T fallback,
      java.util.function.Function<String, T> parse, String kind) {
    String value = singles.get(name);
    try {
      return value == null ? fallback : parse.apply(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be " + kind + ", got '" + value + "'");
    }
  }
}
