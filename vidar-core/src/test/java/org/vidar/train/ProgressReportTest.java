package org.vidar.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.DataPaths;
import org.vidar.data.FeatureSpec;
import org.vidar.data.InputFile;
import org.vidar.data.LabelPolicy;
import org.vidar.data.ProgressSink;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.FrameSampling;
import org.vidar.data.batch.MemoryBudget;
import org.vidar.data.batch.VideoDataset;
import org.vidar.inference.ModelEvaluation;
import org.vidar.model.ModelConfig;
import org.vidar.model.moe.HeadConfig;

/**
 * Every long step of training, loading and scoring tells a {@link ProgressSink} its total and counts
 * up to it: pre-training's batches, the embedding pass's videos, Stage 1's class groups (with the
 * optimizer's passes or iterations), Stage 2's steps (with their losses), the bytes loaded and scored.
 */
class ProgressReportTest {
  @TempDir Path dir;

  /** One step as the sink saw it. */
  static final class Step {
    final String label;
    final long total;
    final String unit;
    long advanced;
    boolean ended;
    final List<String> iterationNames = new ArrayList<>();
    final List<Long> iterations = new ArrayList<>();
    final List<Double> losses = new ArrayList<>();

    Step(String label, long total, String unit) {
      this.label = label;
      this.total = total;
      this.unit = unit;
    }

    @Override
    public String toString() {
      return label + " " + advanced + "/" + total + " " + unit + (ended ? "" : " (not ended)");
    }
  }

  /** Records every step; calls come from the engine's workers too. */
  static final class Recording implements ProgressSink {
    final List<Step> steps = new ArrayList<>();
    private Step current;

    @Override
    public synchronized void begin(String step, long total, String unit) {
      current = new Step(step, total, unit);
      steps.add(current);
    }

    @Override
    public synchronized void advance(long units) {
      assertTrue(current != null && !current.ended, "advance outside a step");
      current.advanced += units;
    }

    @Override
    public synchronized void iteration(String what, long iteration, double loss) {
      current.iterationNames.add(what);
      current.iterations.add(iteration);
      current.losses.add(loss);
    }

    @Override
    public synchronized void end() {
      current.ended = true;
    }

    synchronized List<String> labels() {
      return steps.stream().map(s -> s.label).toList();
    }

    synchronized Step step(String label) {
      return steps.stream().filter(s -> s.label.equals(label)).findFirst().orElseThrow(
          () -> new AssertionError("no step " + label + " in " + steps));
    }
  }

  private static VideoDataset train() {
    return TrainFixtures.separableVideos(96, 4, 4, 31);
  }

  private static Recording run(TrainConfig config) {
    Recording sink = new Recording();
    try (LocalEngine engine = new LocalEngine(train(), 2, 2, sink)) {
      new Trainer(config).train(engine, TrainFixtures.videoModel(4, 4, List.of(8), false),
          new Trainer.Listener() {
            @Override
            public void stageDone(String stage, StageResult result, double seconds) {}

            @Override
            public ProgressSink progress() {
              return sink;
            }
          });
    }
    return sink;
  }

  @Test
  void everyStageCountsToItsTotal() {
    // 96 videos in batches of 8, 2 class groups (L-BFGS, one task each), 5 iRprop+ steps.
    TrainConfig config = TrainFixtures.config(13, 2, 1, HeadConfig.fixed(2, 1e-4f), 2, 10, 5, 16);
    Recording sink = run(config);
    assertEquals(List.of("pretrain epoch 1/2", "pretrain epoch 2/2", "counting the training videos",
        "round 1 embeddings", "round 1 heads", "round 1 trunk"), sink.labels());
    for (Step s : sink.steps) {
      assertTrue(s.ended, s::toString);
      assertEquals(s.total, s.advanced, s::toString);
    }
    for (String epoch : List.of("pretrain epoch 1/2", "pretrain epoch 2/2")) {
      assertEquals(12, sink.step(epoch).total, "96 videos in batches of 8");
      assertEquals("batches", sink.step(epoch).unit);
    }
    Step embeddings = sink.step("round 1 embeddings");
    assertEquals(96, embeddings.total);
    assertEquals("videos", embeddings.unit);
    Step heads = sink.step("round 1 heads");
    assertEquals(2, heads.total);
    assertEquals("groups", heads.unit);
    assertFalse(heads.iterations.isEmpty(), "L-BFGS tells its iterations");
    assertTrue(heads.iterationNames.stream().allMatch("L-BFGS iteration"::equals), heads.iterationNames::toString);
    assertTrue(heads.iterations.stream().allMatch(i -> i >= 1 && i <= 10), heads.iterations::toString);
    assertTrue(heads.losses.stream().allMatch(l -> Double.isFinite(l) && l > 0), heads.losses::toString);
    Step trunk = sink.step("round 1 trunk");
    assertEquals(5, trunk.total);
    assertEquals("steps", trunk.unit);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), trunk.iterations);
    assertTrue(trunk.iterationNames.stream().allMatch("iRprop+ step"::equals), trunk.iterationNames::toString);
    assertTrue(trunk.losses.stream().allMatch(l -> Double.isFinite(l) && l > 0), trunk.losses::toString);
  }

  /**
   * With videos held out, the first epoch's batches are not known before it counted them: its total
   * is unknown, and every later epoch's is the first epoch's count. Adam's Stage 1 tells its passes.
   */
  @Test
  void heldOutVideosMakeTheFirstEpochCountTheBatches() {
    TrainConfig config = TrainFixtures.config(13, 3, 1, HeadConfig.fixed(2, 1e-4f), 2, 10, 2, 16)
        .withPretrainHoldout(0.25, 5).withHeadOptimizer(TrainConfig.HeadOptimizer.ADAM, 2);
    Recording sink = run(config);
    Step first = sink.step("pretrain epoch 1/3");
    assertEquals(0, first.total, "unknown");
    assertTrue(first.advanced > 0 && first.advanced < 12, "fewer than 12 batches of 8 once videos are held out: "
        + first.advanced);
    for (String later : List.of("pretrain epoch 2/3", "pretrain epoch 3/3")) {
      assertEquals(first.advanced, sink.step(later).total, later);
      assertEquals(first.advanced, sink.step(later).advanced, later);
    }
    assertEquals(96, sink.step("round 1 embeddings").advanced, "every video is embedded, held out or not");
    Step heads = sink.step("round 1 heads");
    assertEquals(2, heads.total);
    assertEquals(2, heads.advanced);
    assertTrue(heads.iterationNames.stream().allMatch("Adam pass"::equals), heads.iterationNames::toString);
    assertTrue(heads.iterations.contains(1L) && heads.iterations.contains(2L), heads.iterations::toString);
  }

  @Test
  void loadingAndScoringCountTheFilesBytes() throws IOException {
    FeatureSpec spec = TrainFixtures.spec(FeatureSpec.Level.VIDEO, 4, 3);
    List<InputFile> files = DataPaths.resolve(write(spec, 3, 300));
    long bytes = 0;
    for (InputFile f : files) {
      bytes += f.length();
    }
    Recording sink = new Recording();
    VideoDataset data = VideoDataset.load(files, spec, BadRecordPolicy.FAIL, FrameSampling.ALL, MemoryBudget.UNLIMITED,
        sink);
    assertEquals(900, data.size());
    Step loading = sink.step("loading");
    assertEquals(bytes, loading.total);
    assertEquals("bytes", loading.unit);
    assertEquals(bytes, loading.advanced);
    assertTrue(loading.ended);

    ModelConfig mc = new ModelConfig(spec, new org.vidar.model.TrunkConfig.VideoMlp(List.of(), false));
    var model = new Pretrain(TrainFixtures.config(1, 0, 0, HeadConfig.fixed(1, 1e-4f), 1, 1, 0, 16)).initialModel(mc);
    Recording scoring = new Recording();
    ModelEvaluation.FileResult r = ModelEvaluation.evaluate(model, files, BadRecordPolicy.FAIL, LabelPolicy.REQUIRED,
        20, 64, "eval", scoring);
    assertEquals(900, r.videos());
    Step eval = scoring.step("eval");
    assertEquals(bytes, eval.total);
    assertEquals(bytes, eval.advanced);
    assertTrue(eval.ended);
  }

  private List<String> write(FeatureSpec spec, int files, int perFile) throws IOException {
    return TrainFixtures.writeVideoFiles(dir, spec, files, perFile, (id, r) -> new VideoRecord("v" + id,
        new int[] {id % 3}, 1, new float[] {1f, (float) r.nextDouble(), (float) r.nextDouble(), -1f}));
  }
}
