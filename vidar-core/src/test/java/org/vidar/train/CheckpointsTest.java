package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.model.moe.HeadConfig;

/** Checkpoints after every stage, and a resumed run that ends where an uninterrupted one does. */
class CheckpointsTest {
  @TempDir Path dir;

  @Test
  void stageNamesMapToIndices() {
    assertEquals(0, Checkpoints.stageIndex("pretrain"));
    assertEquals(1, Checkpoints.stageIndex("round 1 heads"));
    assertEquals(2, Checkpoints.stageIndex("round 1 trunk"));
    assertEquals(5, Checkpoints.stageIndex("round 3 heads"));
    assertThrows(IllegalArgumentException.class, () -> Checkpoints.stageIndex("round x"));
  }

  @Test
  void aResumedRunEndsWithTheUninterruptedRunsModel() throws IOException {
    VideoDataset data = TrainFixtures.separableVideos(64, 4, 3, 5);
    ModelConfig mc = TrainFixtures.videoModel(4, 3, List.of(6), true);
    TrainConfig c = TrainFixtures.config(3, 2, 2, HeadConfig.fixed(2, 1e-4f), 2, 10, 3, 16);
    Checkpoints checkpoints = new Checkpoints(dir.resolve("ckpt").toString());
    List<String> stages = new ArrayList<>();
    VideoModel full;
    try (LocalEngine e = new LocalEngine(data, 2, 2)) {
      full = new Trainer(c).train(e, new InMemoryPretrainData(data), mc, (stage, result, s) -> {
        stages.add(stage);
        try {
          checkpoints.write(stage, result.model(), List.of(), ModelFiles.noProvenance().put("run", "test"));
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      });
    }
    assertEquals(List.of("pretrain", "round 1 heads", "round 1 trunk", "round 2 heads", "round 2 trunk"), stages);
    Checkpoints.Checkpoint last = checkpoints.latest().orElseThrow();
    assertEquals(4, last.stage());
    assertArrayEquals(full.headParams(), last.saved().model().headParams());
    assertEquals("round 2 trunk", last.saved().provenance().get("stage").asText());
    assertEquals(4, last.saved().provenance().get("stageIndex").asInt());
    assertEquals("test", last.saved().provenance().get("run").asText());
    try (var names = Files.list(dir.resolve("ckpt"))) {
      assertTrue(names.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directory left");
    }

    // Resume after round 1's heads, as if the run had died during round 1's trunk stage.
    VideoModel afterHeads = ModelFiles.load(dir.resolve("ckpt").resolve("stage-001").toString()).model();
    List<String> resumedStages = new ArrayList<>();
    VideoModel resumed;
    try (LocalEngine e = new LocalEngine(data, 2, 2)) {
      resumed = new Trainer(c).train(e, new InMemoryPretrainData(data), mc,
          (stage, result, s) -> resumedStages.add(stage), afterHeads, 1);
    }
    assertEquals(List.of("round 1 trunk", "round 2 heads", "round 2 trunk"), resumedStages);
    assertArrayEquals(full.trunkParams(), resumed.trunkParams());
    assertArrayEquals(full.headParams(), resumed.headParams());
  }

  @Test
  void aStageIsNotOverwrittenAndAnEmptyDirectoryHasNoCheckpoint() throws IOException {
    Checkpoints checkpoints = new Checkpoints(dir.resolve("c").toString());
    assertTrue(checkpoints.latest().isEmpty());
    VideoDataset data = TrainFixtures.separableVideos(8, 4, 3, 5);
    ModelConfig mc = TrainFixtures.videoModel(4, 3, List.of(), false);
    VideoModel m = new Pretrain(TrainFixtures.config(3, 0, 1, HeadConfig.fixed(2, 1e-4f), 1, 5, 1, 8)).run(data, mc)
        .model();
    checkpoints.write("pretrain", m, List.of(), ModelFiles.noProvenance());
    IOException e = assertThrows(IOException.class,
        () -> checkpoints.write("pretrain", m, List.of(), ModelFiles.noProvenance()));
    assertTrue(e.getMessage().contains("stage-000"), e.getMessage());
    assertEquals(0, checkpoints.latest().orElseThrow().stage());
  }

  /** A fresh run refuses an earlier run's checkpoints; resuming needs one; each says what to do. */
  @Test
  void theStartingPointFollowsTheResumePolicy() throws IOException {
    Checkpoints empty = new Checkpoints(dir.resolve("none").toString());
    assertTrue(empty.startingPoint(false).isEmpty());
    IllegalArgumentException noCheckpoint = assertThrows(IllegalArgumentException.class,
        () -> empty.startingPoint(true));
    assertTrue(noCheckpoint.getMessage().contains("no checkpoint"), noCheckpoint.getMessage());

    Checkpoints used = new Checkpoints(dir.resolve("used").toString());
    VideoDataset data = TrainFixtures.separableVideos(8, 4, 3, 5);
    ModelConfig mc = TrainFixtures.videoModel(4, 3, List.of(), false);
    VideoModel m = new Pretrain(TrainFixtures.config(3, 0, 1, HeadConfig.fixed(2, 1e-4f), 1, 5, 1, 8)).run(data, mc)
        .model();
    used.write("pretrain", m, List.of(), ModelFiles.noProvenance());
    assertEquals(0, used.startingPoint(true).orElseThrow().stage());
    IllegalArgumentException earlier = assertThrows(IllegalArgumentException.class, () -> used.startingPoint(false));
    assertTrue(earlier.getMessage().contains("--resume"), earlier.getMessage());
  }
}
