package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.cli.CommandsTest.Run;
import org.vidar.model.io.ModelFiles;

/**
 * {@code vidar train --resume}: a checkpoint continues only with the options and data it was made
 * with (a resumed run once took the trunk from the checkpoint and the provenance from new options,
 * without a word); {@code --resume-anyway} overrides and records that it did.
 */
class TrainCommandTest {
  @TempDir static Path tmp;
  private static Path data;
  private static Path checkpoints;
  private static final List<String> OPTIONS = List.of("--engine", "local", "--threads", "2", "--classes", "10",
      "--hidden", "4", "--pretrain-epochs", "1", "--rounds", "1", "--experts", "2", "--head-epochs", "2",
      "--trunk-steps", "1");

  @BeforeAll
  static void trainOnce() {
    data = tmp.resolve("data");
    Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "60", "-c", "10", "--level", "video",
        "--threads", "1", "--shards", "2", "--seed", "4");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
    Path model = tmp.resolve("first");
    Run r = train(model, List.of("--train", train()));
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    checkpoints = model.resolve("checkpoints");
    assertTrue(Files.isDirectory(checkpoints.resolve("stage-002")), r::toString);
  }

  private static String train() {
    return data.resolve("video").resolve("train*").toString();
  }

  /** {@code vidar train} with the first run's options but {@code changed} ones, writing {@code out}. */
  private static Run train(Path out, List<String> changed) {
    List<String> args = new ArrayList<>(List.of("train", "--out", out.toString()));
    List<String> options = new ArrayList<>(OPTIONS);
    for (int i = 0; i < changed.size(); i++) {
      String option = changed.get(i);
      boolean flag = i + 1 >= changed.size() || changed.get(i + 1).startsWith("--");
      int at = options.indexOf(option);
      if (at >= 0) {
        options.set(at + 1, changed.get(i + 1)); // replaced
      } else {
        args.add(option);
        if (!flag) {
          args.add(changed.get(i + 1));
        }
      }
      if (!flag) {
        i++;
      }
    }
    args.addAll(options);
    return CommandsTest.run(args.toArray(new String[0]));
  }

  private static Run resume(String name, String... changed) {
    List<String> args = new ArrayList<>(List.of("--resume", checkpoints.toString()));
    args.addAll(List.of(changed));
    if (!args.contains("--train")) {
      args.addAll(List.of("--train", train()));
    }
    return train(tmp.resolve(name), args);
  }

  @Test
  void theSameOptionsAndDataContinueTheCheckpoint() {
    Run r = resume("same");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    assertTrue(r.out().contains("resuming after stage 2 (round 1 trunk)"), r::toString);
    assertFalse(r.err().contains("checkpoint"), r::toString);
  }

  /** A checkpoint made with another seed, trunk, head or data is refused, each difference named: exit 2. */
  @Test
  void otherOptionsOrDataAreRefusedNamingEachDifference() {
    String[][] cases = {
        {"--seed", "2", "--seed: 1 in the checkpoint, 2 now"},
        {"--hidden", "6", "--hidden: [4] in the checkpoint, [6] now"},
        {"--experts", "3", "--experts: 2 in the checkpoint, 3 now"},
        {"--learning-rate", "0.01", "--learning-rate: 0.0035 in the checkpoint, 0.01 now"},
        {"--classes", "12", "--classes: 10 in the checkpoint, 12 now"},
        {"--train", data.resolve("video").resolve("train-00000-of-00002.tfrecord").toString(),
            "--train: 2 files of "},
        {"--validate", data.resolve("video").resolve("validate*").toString(), "--validate: 0 files of 0 bytes in the "
            + "checkpoint, 2 files of "},
    };
    for (String[] c : cases) {
      Run r = resume("refused", c[0], c[1]);
      assertEquals(ExitCodes.USAGE, r.code(), r::toString);
      assertTrue(r.err().contains("was made with other options or data:\n  " + c[2]), r::toString);
      assertTrue(r.err().contains("--resume-anyway"), r::toString);
      assertFalse(r.out().contains("loaded"), "refused before the data are loaded\n" + r);
    }
    Run several = resume("refused", "--seed", "3", "--experts", "4", "--trunk-steps", "2");
    assertEquals(ExitCodes.USAGE, several.code(), several::toString);
    for (String d : List.of("--seed: 1 in the checkpoint, 3 now", "--experts: 2 in the checkpoint, 4 now",
        "--trunk-steps: 1 in the checkpoint, 2 now")) {
      assertTrue(several.err().contains("\n  " + d + "\n") || several.err().contains("\n  " + d), several::toString);
    }
    assertFalse(Files.exists(checkpoints.resolve("stage-003")), "nothing was added to the checkpoints");
  }

  /** --resume-anyway continues, says what differs, and model.json records it. */
  @Test
  void resumeAnywayContinuesAndRecordsTheDifferences() throws IOException {
    Run r = resume("anyway", "--seed", "2", "--resume-anyway");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    assertTrue(r.err().contains("--resume-anyway: continuing although the checkpoint"), r::toString);
    JsonNode recorded = ModelFiles.load(tmp.resolve("anyway").toString()).provenance().get("resumedAnyway");
    assertEquals("--seed: 1 in the checkpoint, 2 now", recorded.get(0).asText(), recorded::toString);

    Run alone = train(tmp.resolve("alone"), List.of("--train", train(), "--resume-anyway"));
    assertEquals(ExitCodes.USAGE, alone.code(), alone::toString);
    assertTrue(alone.err().contains("--resume-anyway needs --resume DIR"), alone::toString);
  }
}
