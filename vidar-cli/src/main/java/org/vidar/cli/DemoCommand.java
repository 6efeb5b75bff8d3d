package org.vidar.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vidar demo}: the README's first command. Synthesizes a small dataset, inspects it, trains a
 * model with the paper's pipeline, scores it next to the oracle on the validate split and writes the
 * training report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs the main job end to end on a small generated dataset: vidar synth, vidar inspect, "
        + "vidar train (the paper's pipeline on Spark, local mode; every option at its default), then vidar eval of the model next to the oracle "
        + "(the true class probabilities) on the validate split, then vidar report (an HTML page of the training "
        + "and the per-class AP beside the oracle's).")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "work/demo", description = "Working directory (default: ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = {"-n", "--videos"}, defaultValue = "2000", description = "Videos to generate (default: ${DEFAULT-VALUE}).")
  long videos;

  @Option(names = {"-c", "--classes"}, defaultValue = "300", description = "Classes (default: ${DEFAULT-VALUE}).")
  int classes;

  @Option(names = "--spark-ui", description = "Turn Spark's web UI on for the training and print its address.")
  boolean sparkUi;

  @Override
  public Integer call() throws java.io.IOException {
    Outputs.withoutInputs().folder("--dir", dir, null).prepare(System.err);
    // The demo owns its directory: a previous run's model and checkpoints make way for this one's.
    org.vidar.data.DataPaths.deleteRecursively(java.nio.file.Paths.get(dir, "model").toString());
    for (String[] step : steps()) {
      System.out.println();
      System.out.println("$ vidar " + String.join(" ", step));
      int code = Main.commandLine().execute(step);
      if (code != ExitCodes.OK) {
        return code;
      }
    }
    System.out.println();
    System.out.println("the training report (charts, per-class AP beside the oracle's, the model): "
        + java.nio.file.Paths.get(dir, "report.html").toAbsolutePath().normalize().toUri());
    return ExitCodes.OK;
  }

  /** The commands the demo runs, in order. */
  String[][] steps() {
    java.util.List<String> train = new java.util.ArrayList<>(java.util.List.of("train", "--vocabulary",
        dir + "/vocabulary.csv", "--train", dir + "/video/train*.tfrecord", "--validate",
        dir + "/video/validate*.tfrecord", "--out", dir + "/model"));
    if (sparkUi) {
      train.add("--spark-ui");
    }
    return new String[][] {
        {"synth", "--out", dir, "--videos", Long.toString(videos), "--classes", Integer.toString(classes)},
        {"inspect", "--vocabulary", dir + "/vocabulary.csv", dir + "/video"},
        {"inspect", "--vocabulary", dir + "/vocabulary.csv", "--top", "3", dir + "/frame/validate*.tfrecord"},
        train.toArray(String[]::new),
        {"eval", "--vocabulary", dir + "/vocabulary.csv", "-m", "model=" + dir + "/model",
            "-p", "oracle=" + dir + "/oracle/validate*.csv", "--per-class", dir + "/per-class.csv",
            dir + "/video/validate*.tfrecord"},
        {"report", "--out", dir + "/report.html", "-p", "oracle=" + dir + "/oracle/validate*.csv",
            "model=" + dir + "/model"},
    };
  }
}
