package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vidar.data.Seeds;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.VideoDataset;
import org.vidar.model.ModelConfig;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.train.embedding.EmbeddingPrecision;
import org.vidar.train.embedding.EmbeddingSource;

/** Stage 1's table of several frame draws per video ({@link TrainConfig#headDraws}). */
class StageOneDrawsTest {
  static final FrameSampling SAMPLE = new FrameSampling(2, 5);

  static List<float[]> rows(EmbeddingSource t, List<Long> keys, List<int[]> labels) {
    List<float[]> out = new ArrayList<>();
    int d = t.dim();
    t.forEachChunk(7, (emb, n, l, o, k) -> {
      for (int r = 0; r < n; r++) {
        out.add(Arrays.copyOfRange(emb, r * d, (r + 1) * d));
        keys.add(k[r]);
        labels.add(Arrays.copyOfRange(l, o[r], o[r + 1]));
      }
    });
    return out;
  }

  /**
   * Draw d's rows are the embeddings of the frames {@code forDraw(d)} samples, draw after draw, each
   * with its video's key and labels; draw 0 is the one-draw table (the stages' fixed sample).
   */
  @Test
  void eachDrawEmbedsItsOwnFramesAfterTheOneTheStagesRead() {
    VideoDataset all = TrainFixtures.separableFrames(30, 4, 2, 41);
    VideoDataset data = all.sampled(SAMPLE);
    ModelConfig mc = TrainFixtures.dbofModel(4, 2, 6, true, 5, true);
    VideoModel m = VideoModel.initialize(mc, ExpertAllocation.fixed(2, 1), Seeds.stream(3));
    int n = data.size();
    List<Long> keys = new ArrayList<>();
    List<int[]> labels = new ArrayList<>();
    List<float[]> three;
    List<float[]> one;
    List<float[]> secondDraw;
    try (LocalEngine e = new LocalEngine(data, 2, 3)) {
      three = rows(e.embed(m, 4, EmbeddingPrecision.FLOAT32, 3), keys, labels);
      one = rows(e.embed(m, 4, EmbeddingPrecision.FLOAT32, 1), new ArrayList<>(), new ArrayList<>());
    }
    try (LocalEngine e = new LocalEngine(all.sampled(SAMPLE.forDraw(1)), 1, 1)) {
      secondDraw = rows(e.embed(m, 4), new ArrayList<>(), new ArrayList<>());
    }
    assertEquals(3 * n, three.size());
    int differ = 0;
    int drawable = 0; // videos of more than 2 frames: only their draws of 2 can differ
    int[] fo = all.frameOffsets();
    for (int v = 0; v < n; v++) {
      boolean more = fo[v + 1] - fo[v] > 2;
      drawable += more ? 1 : 0;
      assertArrayEquals(one.get(v), three.get(v), "draw 0, video " + v);
      assertArrayEquals(secondDraw.get(v), three.get(n + v), "draw 1, video " + v);
      for (int d = 0; d < 3; d++) {
        assertEquals(data.key(v), keys.get(d * n + v));
        assertArrayEquals(labels.get(v), labels.get(d * n + v));
      }
      if (!Arrays.equals(three.get(v), three.get(2 * n + v))) {
        assertTrue(more, "video " + v + " has no other frames to draw");
        differ++;
      }
    }
    assertTrue(drawable >= 8 && differ >= drawable / 2,
        "draw 2 sees other frames: " + differ + " of " + drawable + " videos of more than 2 frames differ");
  }

  /** Video-level data, or every frame kept, have one embedding a video whatever the draws. */
  @Test
  void oneDrawWhenThereIsNothingToDraw() {
    VideoDataset videos = TrainFixtures.separableVideos(20, 4, 2, 42);
    VideoModel vm = VideoModel.initialize(TrainFixtures.videoModel(4, 2, List.of(5), true),
        ExpertAllocation.fixed(2, 1), Seeds.stream(3));
    VideoDataset frames = TrainFixtures.separableFrames(20, 4, 2, 43);
    VideoModel fm = VideoModel.initialize(TrainFixtures.dbofModel(4, 2, 6, true, 5, true),
        ExpertAllocation.fixed(2, 1), Seeds.stream(3));
    try (LocalEngine v = new LocalEngine(videos, 1); LocalEngine f = new LocalEngine(frames, 1)) {
      assertEquals(20, rows(v.embed(vm, 8, EmbeddingPrecision.FLOAT32, 4), new ArrayList<>(), new ArrayList<>()).size());
      assertEquals(20, rows(f.embed(fm, 8, EmbeddingPrecision.FLOAT32, 4), new ArrayList<>(), new ArrayList<>()).size());
    }
  }
}
