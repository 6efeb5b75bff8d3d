package org.vidar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.cli.CommandsTest.Run;
import org.vidar.data.DataPaths;

/**
 * Where commands write: every output is checked before the first expensive step (a wrong one once
 * showed only at the first checkpoint, after loading and pre-training), outputs never land among
 * the inputs, and a run removes the temporary files a killed run left in its places.
 */
class OutputsTest {
  @TempDir static Path tmp;
  private static Path data;
  private static Path blocker;

  @BeforeAll
  static void synthesize() throws IOException {
    data = tmp.resolve("data");
    Run synth = CommandsTest.run("synth", "--out", data.toString(), "-n", "60", "-c", "10", "--min-frames", "5",
        "--max-frames", "10", "--threads", "1", "--shards", "2", "--seed", "3");
    assertEquals(ExitCodes.OK, synth.code(), synth::toString);
    blocker = Files.writeString(tmp.resolve("blocker"), "a file where a folder would have to be");
  }

  private static String train() {
    return data.resolve("video").resolve("train*").toString();
  }

  private static String validate() {
    return data.resolve("video").resolve("validate*").toString();
  }

  /** Fails with exit 1, naming the option, the place and what is in the way, before any work. */
  private static void refusedAtOnce(String option, String place, String why, String... args) {
    Run r = CommandsTest.run(args);
    assertEquals(ExitCodes.FAILED, r.code(), r::toString);
    assertTrue(r.err().contains(option + " " + place), r::toString);
    assertTrue(r.err().contains(why), r::toString);
    for (String work : List.of("loaded", "classes:", "labelled videos:", "stage ", "wrote")) {
      assertFalse(r.out().contains(work), "no work was done (" + work + "):\n" + r);
    }
  }

  @Test
  void anOutputThatCannotBeWrittenFailsBeforeTheWork() throws IOException {
    String notAFolder = blocker + " is a file, not a directory";
    String model = blocker.resolve("model").toString();
    refusedAtOnce("--out", model, notAFolder, "train", "--engine", "local", "--train", train(), "--out", model);
    String checkpoints = blocker.resolve("ckpt").toString();
    refusedAtOnce("--checkpoints", checkpoints, notAFolder, "train", "--engine", "local", "--train", train(),
        "--out", tmp.resolve("never-model").toString(), "--checkpoints", checkpoints);
    String work = blocker.resolve("work").toString();
    refusedAtOnce("--work-dir", work, notAFolder, "train", "--master", "local[1]", "--train", train(),
        "--out", tmp.resolve("never-model2").toString(), "--work-dir", work);
    // predict checks its outputs before it loads the model (here there is none to load).
    String csv = blocker.resolve("p.csv").toString();
    refusedAtOnce("--out", csv, notAFolder, "predict", "--master", "local[1]", "-m", tmp.resolve("no-model").toString(),
        "-o", csv, validate());
    refusedAtOnce("--out", tmp.toString(), "is a directory", "predict", "--engine", "local", "-m",
        tmp.resolve("no-model").toString(), "-o", tmp.toString(), validate());
    String parquet = Files.createDirectories(tmp.resolve("parquet-there")).toString();
    refusedAtOnce("--parquet", parquet, "exists already", "predict", "--master", "local[1]", "-m",
        tmp.resolve("no-model").toString(), "-o", tmp.resolve("never.csv").toString(), "--parquet", parquet,
        validate());
    String perClass = blocker.resolve("per-class.csv").toString();
    refusedAtOnce("--per-class", perClass, notAFolder, "eval", "-p", data.resolve("oracle").resolve("validate*").toString(),
        "--per-class", perClass, validate());
    String synth = blocker.resolve("synth").toString();
    refusedAtOnce("--out", synth, notAFolder, "synth", "--out", synth, "-n", "10");
    String demo = blocker.resolve("demo").toString();
    refusedAtOnce("--dir", demo, notAFolder, "demo", "--dir", demo);
  }

  /** Outputs never overwrite an input, hold one, or land in a folder given as input. */
  @Test
  void anOutputAmongTheInputsIsRefused() {
    String videoDir = data.resolve("video").toString();
    refusedAtOnce("--out", data.resolve("video").resolve("model").toString(), "lies inside the input folder " + videoDir,
        "train", "--engine", "local", "--train", videoDir, "--out", data.resolve("video").resolve("model").toString());
    refusedAtOnce("--out", data.toString(), "holds the input file", "train", "--engine", "local", "--train", train(),
        "--out", data.toString());
    String vocabulary = data.resolve("vocabulary.csv").toString();
    refusedAtOnce("--out", data.resolve("video").resolve("preds.csv").toString(), "lies inside the input folder",
        "predict", "--engine", "local", "-m", tmp.resolve("no-model").toString(), "-o",
        data.resolve("video").resolve("preds.csv").toString(), videoDir);
    refusedAtOnce("--per-class", vocabulary, "is one of the input files", "eval", "--vocabulary", vocabulary, "-p",
        data.resolve("oracle").resolve("validate*").toString(), "--per-class", vocabulary, validate());
    String oracle = data.resolve("oracle").resolve("validate-00000-of-00002.csv").toString();
    refusedAtOnce("--per-class", oracle, "is one of the input files", "eval", "-p", oracle, "--per-class", oracle,
        validate());
  }

  /**
   * A run removes the temporary files and folders a killed run left where it writes, of the names
   * it writes only, and says so in one line; look-alikes and other files stay.
   */
  @Test
  void aRunRemovesWhatAKilledRunLeftAndNothingElse() throws IOException {
    Path model = tmp.resolve("left-model");
    Path checkpoints = model.resolve("checkpoints");
    Files.createDirectories(checkpoints);
    List<Path> left = List.of(model.resolve(DataPaths.temporaryName("model.json")),
        model.resolve(DataPaths.temporaryName("model.safetensors")),
        checkpoints.resolve(DataPaths.temporaryName("stage-001")));
    for (Path p : left.subList(0, 2)) {
      Files.write(p, new byte[] {1});
    }
    Files.createDirectories(left.get(2));
    Files.write(left.get(2).resolve(DataPaths.temporaryName("model.json")), new byte[] {2});
    List<Path> kept = List.of(model.resolve("notes.tmp"), model.resolve(DataPaths.temporaryName("notes.txt")),
        model.resolve(".model.json.tmp"), checkpoints.resolve(DataPaths.temporaryName("stage-1")));
    for (Path p : kept) {
      Files.write(p, new byte[] {3});
    }
    Run r = CommandsTest.run("train", "--engine", "local", "--train", train(), "--out", model.toString(),
        "--classes", "10", "--experts", "2", "--head-epochs", "2");
    assertEquals(ExitCodes.OK, r.code(), r::toString);
    assertEquals(1, r.err().lines().filter(l -> l.startsWith("removed 3 temporary files that a run which did not "
        + "finish left: ")).count(), r::toString);
    for (Path p : left) {
      assertFalse(Files.exists(p), p + "\n" + r);
      assertTrue(r.err().contains(p.toString()), r::toString);
    }
    for (Path p : kept) {
      assertTrue(Files.exists(p), p + "\n" + r);
    }

    Path csv = tmp.resolve("left-preds.csv");
    Path leftCsv = tmp.resolve(DataPaths.temporaryName("left-preds.csv"));
    Files.write(leftCsv, new byte[] {4});
    Run p = CommandsTest.run("predict", "--engine", "local", "-m", model.toString(), "-o", csv.toString(), validate());
    assertEquals(ExitCodes.OK, p.code(), p::toString);
    assertTrue(p.err().contains("removed 1 temporary file that a run which did not finish left: " + leftCsv), p::toString);
    assertFalse(Files.exists(leftCsv));

    Path synth = tmp.resolve("left-synth");
    Path shard = synth.resolve("frame").resolve(DataPaths.temporaryName("train-00000-of-00001.tfrecord"));
    Path vocabulary = synth.resolve(DataPaths.temporaryName("vocabulary.csv"));
    Files.createDirectories(shard.getParent());
    Files.write(shard, new byte[] {5});
    Files.write(vocabulary, new byte[] {6});
    Run s = CommandsTest.run("synth", "--out", synth.toString(), "-n", "4", "-c", "3", "--shards", "1", "--threads", "1",
        "--min-frames", "2", "--max-frames", "3");
    assertEquals(ExitCodes.OK, s.code(), s::toString);
    assertTrue(s.err().contains("removed 2 temporary files"), s::toString);
    assertFalse(Files.exists(shard) || Files.exists(vocabulary), s::toString);
  }
}
