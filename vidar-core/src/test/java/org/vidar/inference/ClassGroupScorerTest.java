package org.vidar.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.ExampleCodec;
import org.vidar.data.FeatureSpec;
import org.vidar.data.Seeds;
import org.vidar.data.TfRecordWriter;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoDataset;
import org.vidar.eval.TopClasses;
import org.vidar.model.ModelConfig;
import org.vidar.model.TrunkConfig;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ClassGroups;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.train.TrainFixtures;

/** A model's heads scored one class group at a time give the whole model's scores and top classes. */
class ClassGroupScorerTest {
  static final int DIM = 5;
  static final int CLASSES = 11;

  @TempDir Path dir;

  @Test
  void groupTopListsMergeIntoTheWholeModelsTopClasses() throws IOException {
    FeatureSpec spec = TrainFixtures.spec(FeatureSpec.Level.VIDEO, DIM, CLASSES);
    ModelConfig mc = new ModelConfig(spec, new TrunkConfig.VideoMlp(List.of(7), true));
    // Experts differ by class, so a slice's layout differs from the whole's.
    int[] experts = {1, 3, 2, 1, 4, 1, 2, 3, 1, 2, 1};
    VideoModel model = VideoModel.initialize(mc, ExpertAllocation.of(experts), Seeds.stream(8));
    VideoDataset data = TrainFixtures.separableVideos(40, DIM, CLASSES, 9);
    Path file = dir.resolve("videos.tfrecord");
    ExampleCodec codec = new ExampleCodec(spec);
    try (OutputStream out = Files.newOutputStream(file); TfRecordWriter w = new TfRecordWriter(out)) {
      for (int v = 0; v < data.size(); v++) {
        w.write(codec.encode(new VideoRecord(data.id(v), data.labelsOf(v), 1,
            java.util.Arrays.copyOfRange(data.features(), v * DIM, (v + 1) * DIM))));
      }
    }
    int k = 4;
    Map<String, int[]> wholeTop = new HashMap<>();
    Map<String, float[]> wholeScores = new HashMap<>();
    StreamingScorer.score(model, DataPaths.resolve(List.of(file.toString())), BadRecordPolicy.FAIL, 6,
        (id, labels, probs, offset) -> {
          int[] c = new int[k];
          float[] b = new float[k];
          TopClasses.select(probs, offset, CLASSES, k, c, b);
          wholeTop.put(id, c);
          wholeScores.put(id, b);
        });
    List<int[]> groups = ClassGroups.balance(experts, 3);
    assertEquals(3, groups.size());
    TrunkPart trunk = TrunkPart.of(model);
    Map<String, List<Integer>> candidates = new HashMap<>();
    Map<String, List<Float>> candidateScores = new HashMap<>();
    List<String> order = new ArrayList<>();
    for (int[] g : groups) {
      ClassGroupScorer.HeadSlice slice = ClassGroupScorer.slice(model, g);
      ExpertAllocation sliceAllocation = slice.allocation();
      for (int i = 0; i < g.length; i++) {
        assertEquals(experts[g[i]], sliceAllocation.experts(i));
      }
      List<String> seen = new ArrayList<>();
      ClassGroupScorer.score(trunk, slice, DataPaths.resolve(List.of(file.toString())), BadRecordPolicy.FAIL, 6, k,
          (id, classes, scores, count) -> {
            seen.add(id);
            assertEquals(Math.min(k, g.length), count);
            for (int i = 0; i < count; i++) {
              candidates.computeIfAbsent(id, x -> new ArrayList<>()).add(classes[i]);
              candidateScores.computeIfAbsent(id, x -> new ArrayList<>()).add(scores[i]);
            }
          });
      if (order.isEmpty()) {
        order.addAll(seen);
      }
      assertEquals(order, seen, "every group sees the videos in file order");
    }
    assertEquals(data.size(), order.size());
    int exactScores = 0;
    for (String id : order) {
      List<Integer> c = candidates.get(id);
      int[] cand = c.stream().mapToInt(Integer::intValue).toArray();
      float[] sc = new float[cand.length];
      for (int i = 0; i < sc.length; i++) {
        sc[i] = candidateScores.get(id).get(i);
      }
      int[] top = new int[k];
      float[] best = new float[k];
      assertEquals(k, TopClasses.merge(cand, sc, cand.length, k, top, best));
      assertArrayEquals(wholeTop.get(id), top, "video " + id);
      for (int i = 0; i < k; i++) {
        assertEquals(wholeScores.get(id)[i], best[i], 1e-6, "video " + id);
        exactScores += wholeScores.get(id)[i] == best[i] ? 1 : 0;
      }
    }
    assertTrue(exactScores > 0);
  }
}
