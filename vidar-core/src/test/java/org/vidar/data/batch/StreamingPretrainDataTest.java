package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureField;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoRecord;
import org.vidar.train.LocalEngine;
import org.vidar.train.Trainer;

/** Streaming pre-training data: every video once per epoch, shuffled per epoch, bounded buffer; class counts. */
class StreamingPretrainDataTest {
  private static final FeatureSpec SPEC = new FeatureSpec(FeatureSpec.Level.VIDEO, List.of("id"), "labels",
      List.of(new FeatureField("f", 3)), 4, 300);

  @TempDir Path dir;

  private List<String> write(int files, int perFile) throws IOException {
    return org.vidar.train.TrainFixtures.writeVideoFiles(dir, SPEC, files, perFile, (id, r) -> new VideoRecord(
        "v" + id, new int[] {id % 4}, 1, new float[] {1f, (float) r.nextDouble(), (float) id}));
  }

  /** Feature 2 over feature 0 is the video number (normalization keeps the ratio): the order of an epoch. */
  private static List<Integer> epochOrder(PretrainData data, int epoch, int batch) throws IOException {
    List<Integer> seen = new ArrayList<>();
    data.epoch(epoch, batch, 7, b -> {
      for (int i = 0; i < b.rows; i++) {
        seen.add(Math.round(b.features[i * 3 + 2] / b.features[i * 3]));
      }
    });
    return seen;
  }

  @Test
  void everyVideoOncePerEpochInAnOrderThatChangesWithTheEpoch() throws IOException {
    List<String> files = write(3, 20);
    StreamingPretrainData data = new StreamingPretrainData(DataPaths.resolve(files), SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL, 8);
    List<Integer> e0 = epochOrder(data, 0, 7);
    List<Integer> e1 = epochOrder(data, 1, 7);
    assertEquals(60, e0.size());
    assertEquals(60, e1.size());
    int[] a = e0.stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] b = e1.stream().mapToInt(Integer::intValue).sorted().toArray();
    assertArrayEquals(a, b, "the same videos in both epochs");
    assertEquals(60, Arrays.stream(a).distinct().count(), "no video twice");
    assertNotEquals(e0, e1, "epochs are shuffled differently");
    assertEquals(e0, epochOrder(data, 0, 7), "an epoch's order is deterministic");
  }

  @Test
  void batchesHoldAtMostTheBatchSizeAndRowsAreNormalized() throws IOException {
    StreamingPretrainData data = new StreamingPretrainData(DataPaths.resolve(write(2, 9)), SPEC,
        BadRecordPolicy.FAIL, FrameSampling.ALL, 4);
    List<Integer> sizes = new ArrayList<>();
    data.epoch(0, 5, 1, b -> {
      sizes.add(b.rows);
      for (int i = 0; i < b.rows; i++) {
        double n = 0;
        for (int j = 0; j < 3; j++) {
          n += b.features[i * 3 + j] * b.features[i * 3 + j];
        }
        assertEquals(1.0, n, 1e-5);
      }
    });
    assertEquals(List.of(5, 5, 5, 3), sizes);
  }

  @Test
  void positivesPerClassOverTheEngineEqualTheDatasetCounts() throws IOException {
    List<String> files = write(3, 10);
    VideoDataset data = VideoDataset.load(DataPaths.resolve(files), SPEC, BadRecordPolicy.FAIL, FrameSampling.ALL);
    try (LocalEngine engine = new LocalEngine(data, 2, 3)) {
      assertArrayEquals(data.positivesPerClass(4), Trainer.count(engine, 4).positives());
    }
  }
}
