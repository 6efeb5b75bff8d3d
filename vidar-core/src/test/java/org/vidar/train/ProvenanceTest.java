package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.batch.InMemoryPretrainData;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.io.ModelFiles;
import org.vidar.model.moe.HeadConfig;
import org.vidar.train.embedding.EmbeddingPrecision;

/** Provenance as structured JSON in model.json, and a model trained again from its own file. */
class ProvenanceTest {
  @TempDir Path dir;

  /** Options away from every default, so a field that does not round-trip shows. */
  static TrainConfig unusualConfig() {
    return new TrainConfig(7, 2, 16, org.vidar.optim.AdamConfig.of(0.02), HeadConfig.fixed(1, 2e-4f), 1,
        new HeadConfig(true, 3, 9, 3e-4f), 2, TrainConfig.stage1Optimizer(6), 3,
        org.vidar.optim.IRpropConfig.withDelta0(0.02), 1e-5f, 11, EmbeddingPrecision.BFLOAT16, 0.75, true, 5, 0.1, 3, TrainConfig.DEFAULT_PRETRAIN_DECAY, TrainConfig.DEFAULT_HEAD_DRAWS,
        TrainConfig.HeadOptimizer.ADAM, 3, 0);
  }

  static Provenance provenance(TrainConfig config) {
    return Provenance.start("test", new Provenance.EngineInfo("local", null, 2, 0), config,
        new Provenance.DataInfo(List.of(new Provenance.FileInfo("/data/a.tfrecord", 123)), List.of(), null, true,
            -1, 0));
  }

  @Test
  void roundTripsThroughJson() throws IOException {
    Provenance p = provenance(unusualConfig()).finish(96, 3);
    ObjectNode json = p.toJson();
    assertEquals("BFLOAT16", json.get("train").get("embeddingPrecision").asText());
    assertEquals(3, json.get("train").get("heads").get("maxExperts").asInt());
    assertEquals(96, json.get("data").get("trainVideos").asLong());
    assertEquals(123, json.get("data").get("train").get(0).get("bytes").asLong());
    assertFalse(json.get("environment").get("kernels").asText().isEmpty());
    Provenance back = Provenance.fromJson(json, "model.json");
    assertEquals(p, back);
    assertEquals(unusualConfig(), back.train());
  }

  @Test
  void aCheckpointIsNotFinished() {
    Provenance p = provenance(unusualConfig()).counted(10, 1);
    assertNull(p.finished());
    assertEquals(10, p.data().trainVideos());
    assertTrue(p.finish(10, 1).finished() != null);
  }

  @Test
  void badFieldsAreNamedWithTheFile() {
    ObjectNode json = provenance(unusualConfig()).toJson();
    ((ObjectNode) json.get("train")).put("trunkFraction", 2.0);
    IOException e = assertThrows(IOException.class, () -> Provenance.fromJson(json, "/m/model.json"));
    assertTrue(e.getMessage().contains("/m/model.json") && e.getMessage().contains("trunkFraction"), e.getMessage());
  }

  /** Train, save, read the options back from model.json alone, train again: the same parameters. */
  @Test
  void aModelTrainsAgainFromItsOwnFile() throws IOException {
    VideoDataset data = TrainFixtures.separableVideos(48, 4, 3, 21);
    ModelConfig mc = TrainFixtures.videoModel(4, 3, List.of(6), true);
    TrainConfig config = unusualConfig();
    VideoModel first = train(data, mc, config);
    String modelDir = dir.resolve("model").toString();
    ModelFiles.save(modelDir, first, List.of(), provenance(config).finish(data.size(), 0).toJson());

    ModelFiles.Saved saved = ModelFiles.load(modelDir);
    Provenance recorded = Provenance.fromJson(saved.provenance(), modelDir);
    VideoModel again = train(data, saved.model().config(), recorded.train());
    assertArrayEquals(first.trunkParams(), again.trunkParams());
    assertArrayEquals(first.headParams(), again.headParams());
    assertEquals(first.allocation(), again.allocation());
  }

  private static VideoModel train(VideoDataset data, ModelConfig mc, TrainConfig config) {
    try (LocalEngine e = new LocalEngine(data, 2, 2)) {
      return new Trainer(config).train(e, new InMemoryPretrainData(data), mc, (stage, result, s) -> { });
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
  }
}
