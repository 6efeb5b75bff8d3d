package org.vidar.inference;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import org.vidar.data.BadRecordPolicy;
import org.vidar.data.InputFile;
import org.vidar.data.SkipReport;
import org.vidar.eval.TopClasses;
import org.vidar.model.ModelConfig;
import org.vidar.model.Trunk;
import org.vidar.model.TrunkPart;
import org.vidar.model.VideoModel;
import org.vidar.model.moe.ExpertAllocation;
import org.vidar.model.moe.MoeHeads;

/**
 * Scoring a model one class group at a time, for models whose heads do not fit one worker: the
 * trunk ({@link TrunkPart}) and each group's slice of the heads ({@link HeadSlice}) travel apart,
 * a task holds the trunk and one slice, and gives each video the top-k of its group's classes.
 * Every class's head is independent of the others, so the top-k of the whole model is the top-k
 * of the groups' top-k lists ({@link TopClasses#merge}).
 */
public final class ClassGroupScorer {
  private ClassGroupScorer() {}

  /** The heads of some classes of a model: their experts and gates, in the layout of {@code allocation}. */
  public record HeadSlice(int[] classes, ExpertAllocation allocation, int inputDim, float[] params)
      implements Serializable {
    /** The heads these parameters belong to. */
    public MoeHeads heads() {
      return new MoeHeads(inputDim, allocation);
    }
  }

  /** Receives each video's id and its group's best classes (global indices), best first. */
  @FunctionalInterface
  public interface TopSink {
    void video(String id, int[] classes, float[] scores, int count) throws IOException;
  }

  /** The heads of {@code classes} (ascending or not) cut out of {@code model}'s. */
  public static HeadSlice slice(VideoModel model, int[] classes) {
    MoeHeads group = model.heads().select(classes);
    float[] params = group.newParams();
    model.heads().gather(model.headParams(), classes, group, params);
    return new HeadSlice(classes.clone(), group.allocation(), group.inputDim(), params);
  }

  /**
   * Streams {@code files} through the trunk and the slice's heads and hands every video's best
   * {@code topK} classes of the slice to {@code sink}; returns the records skipped under the policy.
   */
  public static SkipReport score(TrunkPart trunkPart, HeadSlice slice, List<InputFile> files, BadRecordPolicy policy,
      int chunkRows, int topK, TopSink sink) throws IOException {
    ModelConfig config = trunkPart.config();
    Trunk trunk = trunkPart.trunk();
    if (trunk.outputDim() != slice.inputDim()) {
      throw new IllegalArgumentException("the head slice reads " + slice.inputDim() + " values, the trunk gives "
          + trunk.outputDim());
    }
    Trunk.Scratch trunkScratch = trunk.newScratch(false);
    MoeHeads heads = slice.heads();
    MoeHeads.Scratch headScratch = heads.newScratch();
    float[][] embedding = {new float[0]};
    int width = slice.classes().length;
    int[] local = new int[Math.min(topK, width)];
    int[] global = new int[local.length];
    float[] best = new float[local.length];
    return StreamingScorer.score(config, width, (batch, out) -> {
      int n = Math.multiplyExact(batch.rows, trunk.outputDim());
      if (embedding[0].length < n) {
        embedding[0] = new float[n];
      }
      trunk.forward(trunkPart.params(), batch, embedding[0], trunkScratch);
      heads.forward(slice.params(), embedding[0], batch.rows, out, headScratch);
    }, files, policy, org.vidar.data.LabelPolicy.OPTIONAL, chunkRows, (id, labels, probs, offset) -> {
      int m = TopClasses.select(probs, offset, width, topK, local, best);
      for (int i = 0; i < m; i++) {
        global[i] = slice.classes()[local[i]];
      }
      sink.video(id, global, best, m);
    });
  }
}
