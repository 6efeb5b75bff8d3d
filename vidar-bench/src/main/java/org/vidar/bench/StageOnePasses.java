package org.vidar.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vidar.bench.TimeToQualityBench.Point;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.MoeHeads;
import org.vidar.train.StageResult;
import org.vidar.train.Trainer;

/**
 * Round 1's Stage 1 pass by pass, on the local engine: each class group's heads after each of its
 * Adam passes (what the group would return if stopped there: each class at its best pass so far)
 * and the training time it ended at. The model "after pass p" joins every group's heads after its
 * pass p (its last, for a group that stopped sooner) and existed once the slowest group had
 * finished that pass; that is its time on the curve. Scored after the stage, off the clock.
 */
final class StageOnePasses {
  private final TrainingClock clock;
  private final Map<Integer, int[]> classes = new LinkedHashMap<>();
  private final Map<Integer, List<float[]>> params = new HashMap<>();
  private final Map<Integer, List<Double>> seconds = new HashMap<>();
  private StageResult stageOne;

  StageOnePasses(TrainingClock clock) {
    this.clock = clock;
  }

  /**
   * A training listener that feeds {@code points}: each pre-training epoch's model and every
   * stage's, scored as they come, and round 1's Stage 1 pass by pass once it ends.
   */
  Trainer.Listener listener(List<Point> points) {
    return new Trainer.Listener() {
      @Override
      public void epochDone(int epoch, StageResult result, double s) {
        points.add(clock.score("pretrain epoch " + (epoch + 1), result.model()));
      }

      @Override
      public void headPassDone(int[] classes, int pass, float[] params) {
        add(classes, params);
      }

      @Override
      public void stageDone(String stage, StageResult result, double s) {
        if (stage.equals("round 1 heads")) {
          stageOne = result;
          points.addAll(curve(result.model()));
        }
        points.add(clock.score(stage, result.model()));
      }
    };
  }

  /** Round 1's Stage 1 result, once the listener has seen it (else null). */
  StageResult stageOne() {
    return stageOne;
  }

  /** A group's heads after its next pass (called from the group's thread; the copy is on the clock). */
  synchronized void add(int[] group, float[] p) {
    double now = clock.seconds();
    classes.putIfAbsent(group[0], group.clone());
    params.computeIfAbsent(group[0], k -> new ArrayList<>()).add(p.clone());
    seconds.computeIfAbsent(group[0], k -> new ArrayList<>()).add(now);
  }

  /** The curve of the passes seen, each scored with {@code stageModel}'s trunk; forgets them. */
  synchronized List<Point> curve(VideoModel stageModel) {
    long t0 = System.nanoTime();
    List<Point> curve = new ArrayList<>();
    int most = params.values().stream().mapToInt(List::size).max().orElse(0);
    MoeHeads heads = new MoeHeads(stageModel.trunk().outputDim(), stageModel.allocation());
    for (int pass = 1; pass <= most; pass++) {
      float[] full = heads.newParams();
      double at = 0;
      for (Map.Entry<Integer, int[]> g : classes.entrySet()) {
        List<float[]> ps = params.get(g.getKey());
        int i = Math.min(pass, ps.size()) - 1;
        heads.scatter(heads.select(g.getValue()), ps.get(i), g.getValue(), full);
        at = Math.max(at, seconds.get(g.getKey()).get(i));
      }
      curve.add(clock.scoreAt("stage 1 pass " + pass, at, stageModel.withHeads(stageModel.allocation(), full)));
    }
    params.clear();
    seconds.clear();
    classes.clear();
    clock.exclude(System.nanoTime() - t0);
    return curve;
  }
}
