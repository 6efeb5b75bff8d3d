package org.vidar.data.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.vidar.data.Seeds;
import org.vidar.train.TrainFixtures;

/** {@link VideoBatch#retain} keeps exactly what gathering the kept videos would give. */
class VideoBatchRetainTest {

  static void assertRetainEqualsGather(VideoDataset data, int[] keep) {
    Set<Long> keys = new HashSet<>();
    for (int v : keep) {
      keys.add(data.key(v));
    }
    VideoBatch all = new VideoBatch(data.level(), data.dimension());
    all.gather(data, null, 0, data.size());
    all.retain(keys::contains);
    VideoBatch expected = new VideoBatch(data.level(), data.dimension());
    expected.gather(data, keep, 0, keep.length);
    assertSameVideos(expected, all, keep.length);
  }

  /** The first {@code n} videos of two batches hold the same indices, keys, labels and features. */
  static void assertSameVideos(VideoBatch expected, VideoBatch actual, int n) {
    assertEquals(n, actual.rows);
    assertArrayEquals(Arrays.copyOf(expected.sourceIndex, n), Arrays.copyOf(actual.sourceIndex, n));
    assertArrayEquals(Arrays.copyOf(expected.keys, n), Arrays.copyOf(actual.keys, n));
    assertArrayEquals(Arrays.copyOf(expected.labelOffsets, n + 1), Arrays.copyOf(actual.labelOffsets, n + 1));
    assertArrayEquals(Arrays.copyOf(expected.frameOffsets, n + 1), Arrays.copyOf(actual.frameOffsets, n + 1));
    int labels = expected.labelOffsets[n];
    assertArrayEquals(Arrays.copyOf(expected.labels, labels), Arrays.copyOf(actual.labels, labels));
    int values = expected.featureRows() * expected.dimension();
    assertEquals(expected.featureRows(), actual.featureRows());
    assertArrayEquals(Arrays.copyOf(expected.features, values), Arrays.copyOf(actual.features, values));
  }

  @Test
  void videoLevel() {
    VideoDataset data = TrainFixtures.separableVideos(17, 3, 4, 1);
    assertRetainEqualsGather(data, new int[] {0, 3, 4, 9, 16});
    assertRetainEqualsGather(data, new int[] {5});
    assertRetainEqualsGather(data, new int[] {});
    assertRetainEqualsGather(data, IntStream.range(0, 17).toArray());
  }

  @Test
  void frameLevelMovesEveryFrame() {
    VideoDataset data = TrainFixtures.separableFrames(15, 3, 2, 2);
    assertRetainEqualsGather(data, new int[] {1, 2, 7, 8, 14});
    assertRetainEqualsGather(data, new int[] {0, 14});
    assertRetainEqualsGather(data, IntStream.range(0, 15).filter(v -> v % 3 != 0).toArray());
  }

  @Test
  void keysFollowTheIdNotThePosition() {
    VideoDataset data = TrainFixtures.separableVideos(5, 3, 2, 3);
    VideoBatch b = new VideoBatch(data.level(), data.dimension());
    b.gather(data, new int[] {4, 2}, 0, 2);
    assertEquals(Seeds.videoKey("v4"), b.keys[0]);
    assertEquals(Seeds.videoKey("v2"), b.keys[1]);
    assertEquals(data.key(4), b.keys[0]);
  }

  /** {@link VideoBatch#copyRows} gives what gathering the same videos gives, at video and frame level. */
  @Test
  void copyRowsEqualsGatheringTheSameVideos() {
    for (VideoDataset data : new VideoDataset[] {TrainFixtures.separableVideos(20, 3, 4, 5),
        TrainFixtures.separableFrames(20, 3, 2, 6)}) {
      VideoBatch all = new VideoBatch(data.level(), data.dimension());
      all.gather(data, null, 0, data.size());
      VideoBatch part = new VideoBatch(data.level(), data.dimension());
      part.copyRows(all, 7, 15);
      VideoBatch expected = new VideoBatch(data.level(), data.dimension());
      expected.gather(data, null, 7, 15);
      assertSameVideos(expected, part, 8);
    }
  }
}
