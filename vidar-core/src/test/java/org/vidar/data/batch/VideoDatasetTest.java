package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vidar.data.FeatureSpec;
import org.vidar.train.LocalEngine;
import org.vidar.train.TrainFixtures;

class VideoDatasetTest {
  // 3 videos of dim 2 with 2, 1 and 3 frames; frame t's features are (10t, 10t + 1).
  static final int[] FO = {0, 2, 3, 6};
  static final int[][] LABELS = {{4, 1}, {}, {1}};

  static VideoDataset frames() {
    float[] f = new float[6 * 2];
    for (int t = 0; t < 6; t++) {
      f[2 * t] = 10 * t;
      f[2 * t + 1] = 10 * t + 1;
    }
    return VideoDataset.of(FeatureSpec.Level.FRAME, 2, new String[] {"a", "b", "c"}, LABELS, f, FO);
  }

  @Test
  void ofBuildsCompressedLabelsAndCounts() {
    VideoDataset d = frames();
    assertEquals(3, d.size());
    assertEquals("b", d.id(1));
    assertArrayEquals(new int[] {0, 2, 2, 3}, d.labelOffsets());
    assertArrayEquals(new int[] {4, 1, 1}, d.labels());
    assertArrayEquals(new int[] {4, 1}, d.labelsOf(0));
    assertArrayEquals(new int[0], d.labelsOf(1));
    assertArrayEquals(new long[] {0, 2, 0, 0, 1}, d.positivesPerClass(5));
    assertArrayEquals(FO, d.frameOffsets());
  }

  @Test
  void ofRejectsFeatureCountMismatch() {
    assertThrows(IllegalArgumentException.class, () -> VideoDataset.of(FeatureSpec.Level.FRAME, 2,
        new String[] {"a", "b", "c"}, LABELS, new float[11], FO));
    assertThrows(IllegalArgumentException.class, () -> VideoDataset.of(FeatureSpec.Level.VIDEO, 2,
        new String[] {"a"}, new int[][] {{}}, new float[3], null));
  }

  @Test
  void gatherFrameLevelInGivenOrder() {
    VideoDataset d = frames();
    VideoBatch b = new VideoBatch(FeatureSpec.Level.FRAME, 2);
    int[] order = {9, 2, 0, 1};
    b.gather(d, order, 1, 3); // videos 2 then 0
    assertEquals(2, b.rows);
    assertEquals(5, b.featureRows());
    assertArrayEquals(new int[] {2, 0}, Arrays.copyOf(b.sourceIndex, 2));
    assertArrayEquals(new int[] {0, 3, 5}, Arrays.copyOf(b.frameOffsets, 3));
    assertArrayEquals(new float[] {30, 31, 40, 41, 50, 51, 0, 1, 10, 11}, Arrays.copyOf(b.features, 10));
    assertArrayEquals(new int[] {0, 1, 3}, Arrays.copyOf(b.labelOffsets, 3));
    assertArrayEquals(new int[] {1, 4, 1}, Arrays.copyOf(b.labels, 3));

    // reused for a smaller batch: the valid prefix is rewritten
    b.gather(d, order, 3, 4); // video 1
    assertEquals(1, b.rows);
    assertEquals(1, b.featureRows());
    assertArrayEquals(new int[] {0, 1}, Arrays.copyOf(b.frameOffsets, 2));
    assertArrayEquals(new int[] {0, 0}, Arrays.copyOf(b.labelOffsets, 2));
    assertArrayEquals(new float[] {20, 21}, Arrays.copyOf(b.features, 2));
    assertEquals(1, b.sourceIndex[0]);
  }

  @Test
  void gatherRangeWithoutOrder() {
    VideoDataset d = frames();
    VideoBatch b = new VideoBatch(FeatureSpec.Level.FRAME, 2);
    b.gather(d, null, 1, 3);
    assertArrayEquals(new int[] {1, 2}, Arrays.copyOf(b.sourceIndex, 2));
    assertArrayEquals(new int[] {0, 1, 4}, Arrays.copyOf(b.frameOffsets, 3));
    assertArrayEquals(new float[] {20, 21, 30, 31, 40, 41, 50, 51}, Arrays.copyOf(b.features, 8));
    assertArrayEquals(new int[] {0, 0, 1}, Arrays.copyOf(b.labelOffsets, 3));
    assertEquals(1, b.labels[0]);
  }

  @Test
  void gatherVideoLevel() {
    float[] f = {1, 2, 3, 4, 5, 6};
    VideoDataset d = VideoDataset.of(FeatureSpec.Level.VIDEO, 2, new String[] {"a", "b", "c"},
        new int[][] {{0}, {1, 2}, {}}, f, null);
    assertNull(d.frameOffsets());
    VideoBatch b = new VideoBatch(FeatureSpec.Level.VIDEO, 2);
    b.gather(d, new int[] {2, 1, 0}, 0, 3);
    assertEquals(3, b.rows);
    assertEquals(3, b.featureRows());
    assertArrayEquals(new float[] {5, 6, 3, 4, 1, 2}, Arrays.copyOf(b.features, 6));
    assertArrayEquals(new int[] {0, 0, 2, 3}, Arrays.copyOf(b.labelOffsets, 4));
    assertArrayEquals(new int[] {1, 2, 0}, Arrays.copyOf(b.labels, 3));
    assertArrayEquals(new long[] {1, 1, 1}, d.positivesPerClass(3));
  }

  @Test
  void localEngineShardsCoverEveryVideoOnce() {
    VideoDataset d = TrainFixtures.separableVideos(11, 3, 2, 1);
    for (int shards : new int[] {1, 2, 3, 11, 20}) {
      try (LocalEngine e = new LocalEngine(d, 2, shards)) {
        int[] seen = e.aggregateShards(shard -> {
          int[] s = new int[d.size()];
          VideoBatch b = new VideoBatch(FeatureSpec.Level.VIDEO, 3);
          while (shard.next(b, 2)) {
            for (int i = 0; i < b.rows; i++) {
              s[b.sourceIndex[i]]++;
            }
          }
          return s;
        }, (a, b) -> {
          for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
          }
          return a;
        });
        int[] ones = new int[d.size()];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, seen, "shards=" + shards);
      }
    }
  }
}
