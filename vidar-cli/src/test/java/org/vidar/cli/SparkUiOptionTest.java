package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --spark-ui}: an engine option of train and predict, refused on the local engine, passed on by demo. */
class SparkUiOptionTest {
  private static EngineOptions engine(String... args) {
    CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args);
    Object command = parsed.subcommand().commandSpec().userObject();
    return command instanceof TrainCommand t ? t.engine : ((PredictCommand) command).engine;
  }

  @Test
  void trainAndPredictTakeIt() {
    assertTrue(engine("train", "--train", "t", "--out", "o", "--spark-ui").sparkUi);
    assertFalse(engine("train", "--train", "t", "--out", "o").sparkUi, "off by default");
    assertTrue(engine("predict", "-m", "m", "-o", "p.csv", "--spark-ui", "f").sparkUi);
  }

  @Test
  void theLocalEngineRefusesIt() {
    EngineOptions local = engine("predict", "-m", "m", "-o", "p.csv", "--engine", "local", "--spark-ui", "f");
    UsageException e = assertThrows(UsageException.class, () -> local.check(20));
    assertEquals("--spark-ui needs --engine spark", e.getMessage());
    CommandsTest.Run run = CommandsTest.run("predict", "-m", "m", "-o", "p.csv", "--engine", "local", "--spark-ui",
        "no-such-file");
    assertEquals(ExitCodes.USAGE, run.code(), run::toString);
  }

  @Test
  void demoPassesItToTraining() {
    DemoCommand demo = new DemoCommand();
    new CommandLine(demo).parseArgs("--spark-ui");
    List<String> train = trainStep(demo);
    assertTrue(train.contains("--spark-ui"), train::toString);
    DemoCommand plain = new DemoCommand();
    new CommandLine(plain).parseArgs();
    assertFalse(trainStep(plain).contains("--spark-ui"));
  }

  private static List<String> trainStep(DemoCommand demo) {
    return Arrays.stream(demo.steps()).filter(s -> s[0].equals("train")).findFirst().map(Arrays::asList)
        .orElseThrow();
  }
}
