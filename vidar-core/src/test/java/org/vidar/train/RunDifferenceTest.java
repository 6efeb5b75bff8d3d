package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.model.moe.HeadConfig;
import org.vidar.optim.AdamConfig;
import org.vidar.optim.IRpropConfig;
import org.vidar.train.embedding.EmbeddingPrecision;

/** What a resumed run compares with the checkpoint it continues. */
class RunDifferenceTest {
  private static final List<String> NAMES = List.of("cat", "dog", "owl");

  @TempDir Path dir;
  private ModelConfig shape;
  private Checkpoints.Checkpoint checkpoint;

  /** ProvenanceTest's unusual options, with another seed, experts and chunk rows. */
  private static TrainConfig config(long seed, int experts, int chunkRows) {
    return new TrainConfig(seed, 2, 16, AdamConfig.of(0.02), HeadConfig.fixed(1, 2e-4f), 1,
        new HeadConfig(true, experts, 9, 3e-4f), 2, TrainConfig.stage1Optimizer(6), 3, IRpropConfig.withDelta0(0.02),
        1e-5f, chunkRows, EmbeddingPrecision.BFLOAT16, 0.75, true, 5, 0.1, 3, TrainConfig.DEFAULT_PRETRAIN_DECAY, TrainConfig.DEFAULT_HEAD_DRAWS, TrainConfig.HeadOptimizer.ADAM, 3, 0);
  }

  private static Provenance run(TrainConfig config, long bytes, Provenance.EngineInfo engine) {
    return Provenance.start("vidar train", engine, config, new Provenance.DataInfo(
        List.of(new Provenance.FileInfo("/data/a.tfrecord", 100), new Provenance.FileInfo("/data/b.tfrecord", bytes)),
        List.of(), null, false, -1, 0));
  }

  private static Provenance.EngineInfo local() {
    return new Provenance.EngineInfo("local", null, 2, 0);
  }

  @BeforeEach
  void writeACheckpoint() throws IOException {
    VideoDataset data = TrainFixtures.separableVideos(8, 4, 3, 5);
    shape = TrainFixtures.videoModel(4, 3, List.of(5), false);
    VideoModel m = new Pretrain(TrainFixtures.config(3, 0, 1, HeadConfig.fixed(2, 1e-4f), 1, 5, 1, 8)).run(data, shape)
        .model();
    Checkpoints checkpoints = new Checkpoints(dir.resolve("ckpt").toString());
    checkpoints.write("pretrain", m, NAMES, run(config(7, 3, 11), 200, local()).counted(8, 0).toJson());
    checkpoint = checkpoints.latest().orElseThrow();
  }

  /** The same options and data continue the checkpoint, on another engine and with other chunk rows too. */
  @Test
  void theSameRunHasNoDifferences() {
    assertEquals(List.of(), RunDifference.between(checkpoint, run(config(7, 3, 11), 200, local()), shape, NAMES));
    assertEquals(List.of(), RunDifference.between(checkpoint,
        run(config(7, 3, 64), 200, new Provenance.EngineInfo("spark", "local[2]", 0, 1000)), shape, NAMES));
  }

  /** Every option, file, class name and part of the model's shape that differs is named, with both values. */
  @Test
  void optionsDataClassesAndShapeAreNamed() {
    List<RunDifference> d = RunDifference.between(checkpoint, run(config(8, 4, 11), 201, local()),
        TrainFixtures.videoModel(4, 3, List.of(6), false), List.of("cat", "dog", "bat"));
    assertEquals(List.of("train.seed", "train.heads.maxExperts", "data.train", "classNames", "model.trunk.hidden"),
        d.stream().map(RunDifference::field).toList(), d.toString());
    assertEquals("train.seed: 7 in the checkpoint, 8 now", d.get(0).toString());
    assertEquals("2 files of 300 bytes, file 2 /data/b.tfrecord (200 bytes)", d.get(2).checkpoint());
    assertEquals("2 files of 301 bytes, file 2 /data/b.tfrecord (201 bytes)", d.get(2).now());
    assertEquals("3 class names, class 2 'owl'", d.get(3).checkpoint());
    assertEquals("[5]", d.get(4).checkpoint());
    assertEquals("[6]", d.get(4).now());
  }

  /** A checkpoint whose provenance holds no options (written by something else) cannot be vouched for. */
  @Test
  void aCheckpointWithoutProvenanceDiffers() throws IOException {
    VideoModel m = checkpoint.saved().model();
    Checkpoints bare = new Checkpoints(dir.resolve("bare").toString());
    bare.write("pretrain", m, NAMES, ModelFiles.noProvenance());
    List<RunDifference> d = RunDifference.between(bare.latest().orElseThrow(), run(config(7, 3, 11), 200, local()),
        shape, NAMES);
    assertEquals(1, d.size(), d.toString());
    assertEquals("provenance", d.get(0).field());
    assertTrue(d.get(0).checkpoint().contains("cannot be read"), d.toString());
  }
}
