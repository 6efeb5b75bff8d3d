package org.vidar.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vidar demo}: the README's first command. Synthesizes a small dataset, inspects it and scores
 * the oracle's predictions on the validate split, end to end on the embedded defaults.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Runs the main job end to end on a small generated dataset: vidar synth, vidar inspect, "
        + "then vidar eval of the oracle (the true class probabilities) on the validate split.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "work/demo", description = "Working directory (default: ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = {"-n", "--videos"}, defaultValue = "2000", description = "Videos to generate (default: ${DEFAULT-VALUE}).")
  long videos;

  @Option(names = {"-c", "--classes"}, defaultValue = "300", description = "Classes (default: ${DEFAULT-VALUE}).")
  int classes;

  @Override
  public Integer call() {
    String[][] steps = {
        {"synth", "--out", dir, "--videos", Long.toString(videos), "--classes", Integer.toString(classes)},
        {"inspect", "--vocabulary", dir + "/vocabulary.csv", dir + "/video"},
        {"inspect", "--vocabulary", dir + "/vocabulary.csv", "--top", "3", dir + "/frame/validate*.tfrecord"},
        {"eval", "--vocabulary", dir + "/vocabulary.csv", "-p", "oracle=" + dir + "/oracle/validate*.csv",
            "--per-class", dir + "/oracle-per-class.csv", dir + "/video/validate*.tfrecord"},
    };
    for (String[] step : steps) {
      System.out.println();
      System.out.println("$ vidar " + String.join(" ", step));
      int code = Main.commandLine().execute(step);
      if (code != ExitCodes.OK) {
        return code;
      }
    }
    return ExitCodes.OK;
  }
}
