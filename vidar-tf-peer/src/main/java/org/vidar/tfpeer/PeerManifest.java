package org.vidar.tfpeer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tensorflow.TensorFlow;

/**
 * Writes peer.json: the settings, the model recipe, the data, TensorFlow's version and thread
 * settings, the machine and the loading times, enough to run the same comparison again.
 */
final class PeerManifest {
  private PeerManifest() {}

  /** Writes {@code file}. */
  static void write(Path file, PeerConfig config, List<Path> trainFiles, List<Path> validateFiles,
      int trainVideos, int validateVideos, double trainLoadSeconds, double validateLoadSeconds,
      double setupSeconds) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("tool", "vidar-tf-peer");
    root.put("created", Instant.now().toString());
    root.put("tensorflow_version", TensorFlow.version());
    root.put("tensorflow_java", "org.tensorflow:tensorflow-core-api:1.1.0 (CPU, linux-x86_64)");

    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("model", config.model().cliName());
    settings.put("classes", config.classes());
    settings.put("epochs", config.epochs());
    settings.put("batch", config.batch());
    settings.put("learning_rate", config.learningRate());
    settings.put("hidden", config.model() != ModelKind.MOE ? config.hidden() : null);
    settings.put("experts", config.experts());
    settings.put("clip_gradient_norm", config.clip());
    settings.put("seed", config.seed());
    settings.put("top_k", config.topK());
    if (config.model() == ModelKind.DBOF) {
      settings.put("cluster_size", config.clusterSize());
      settings.put("sample_frames", config.sampleFrames());
      settings.put("bn_decay", config.bnDecay());
    }
    root.put("settings", settings);

    Map<String, Object> recipe = new LinkedHashMap<>();
    if (config.model() == ModelKind.DBOF) {
      recipe.put("input", "per video and step " + config.sampleFrames() + " frames drawn uniformly with"
          + " replacement (floor(u * num_frames), num_frames cut at " + FrameLoader.MAX_FRAMES + "), each"
          + " concat(rgb[1024], audio[128]) dequantized (q * 4/255 + 4/512 - 2) and L2-normalised"
          + " (eps 1e-12); scoring draws them from a fixed seed, the same frames every epoch");
      recipe.put("trunk", "DbofModel: batch norm of the input, dense " + VideoLoader.DIMENSION + "->"
          + config.clusterSize() + " no bias, batch norm, ReLU6, max over the frames, dense "
          + config.clusterSize() + "->" + config.hidden() + " no bias, batch norm, ReLU6; weights"
          + " N(0, 1/fan_in); batch norms slim's (center, scale, eps 1e-3), batch statistics in"
          + " training, moving averages for scoring, decay min(" + config.bnDecay()
          + ", (1 + n)/(10 + n)) after n steps");
    } else {
      recipe.put("input", "concat(mean_rgb[1024], mean_audio[128]), L2-normalised per video (eps 1e-12)");
      recipe.put("trunk", config.model() == ModelKind.MLP
          ? "dense " + VideoLoader.DIMENSION + "->" + config.hidden() + " + bias, ReLU, no L2"
          : "none");
    }
    recipe.put("head", "MoeModel: per class " + config.experts() + " logistic experts (with bias) and"
        + " a softmax gate over experts+1 states (no bias), gate/expert weight L2 "
        + PeerConfig.MOE_L2 + " * sum(w^2)/2");
    recipe.put("loss", "starter CrossEntropyLoss: -(y log(p+1e-5) + (1-y) log(1-p+1e-5)), sum over"
        + " classes, mean over batch, plus the L2 penalty; log.tsv reports it without the penalty");
    recipe.put("optimizer", "Adam (ApplyAdam kernel) beta1 0.9 beta2 0.999 epsilon 1e-8, constant"
        + " learning rate, per-tensor clip_by_norm " + (config.clip() > 0 ? config.clip() : "off"));
    recipe.put("init", "Glorot uniform weights drawn in Java from the seed; biases zero");
    recipe.put("shuffle", "Fisher-Yates each epoch from the seed; last batch may be smaller");
    root.put("recipe", recipe);

    Map<String, Object> data = new LinkedHashMap<>();
    data.put("train_files", trainFiles.stream().map(Path::toString).collect(Collectors.toList()));
    data.put("validate_files", validateFiles.stream().map(Path::toString).collect(Collectors.toList()));
    data.put("train_videos", trainVideos);
    data.put("validate_videos", validateVideos);
    data.put("reader", "plain-Java TFRecord framing (CRC-checked) + org.tensorflow.proto."
        + (config.model().frameLevel() ? "SequenceExample, quantized bytes into memory" : "Example, into memory"));
    root.put("data", data);

    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("train_load_seconds", round(trainLoadSeconds));
    timing.put("validate_load_seconds", round(validateLoadSeconds));
    timing.put("load_seconds", round(trainLoadSeconds + validateLoadSeconds));
    timing.put("graph_and_session_setup_seconds", round(setupSeconds));
    timing.put("train_seconds", "see log.tsv (excludes loading, set-up and validation scoring)");
    root.put("timing", timing);

    Map<String, Object> threads = new LinkedHashMap<>();
    threads.put("intra_op_parallelism_threads", config.intraOpThreads());
    threads.put("inter_op_parallelism_threads", config.interOpThreads());
    threads.put("meaning_of_0", "TensorFlow's default: one thread per schedulable CPU");
    threads.put("available_processors", Runtime.getRuntime().availableProcessors());
    root.put("threads", threads);

    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("arch", System.getProperty("os.arch"));
    machine.put("cpu", cpuModel());
    root.put("machine", machine);

    Files.writeString(file, Json.render(root), StandardCharsets.UTF_8);
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  /** The CPU model from /proc/cpuinfo, or null where there is none (not Linux). */
  private static String cpuModel() {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(cpuinfo)) {
      return null;
    }
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }
}
