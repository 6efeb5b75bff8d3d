package org.vidar.tfpeer;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The starter code's frame_level_models.DbofModel (with dbof_add_batch_norm and max pooling) up to
 * the MoE: over [videos * frames, 1152] L2-normalised sampled frames, batch norm of the input, a
 * per-frame layer of {@code clusterSize} units without bias, batch norm, ReLU6, max pooling over each
 * video's frames, a hidden layer without bias, batch norm, ReLU6. Built twice over the same
 * variables: once with batch statistics for training, once with moving averages for scoring.
 */
final class DbofTrunk {
  private final int sampleFrames;
  private final int clusterSize;
  private final float decay;
  private final BatchNorm inputNorm;
  private final Variable<TFloat32> clusterWeights;
  private final BatchNorm clusterNorm;
  private final Variable<TFloat32> hiddenWeights;
  private final BatchNorm hiddenNorm;
  private final Variable<TFloat32> updateCount;

  private DbofTrunk(int sampleFrames, int clusterSize, float decay, BatchNorm inputNorm,
      Variable<TFloat32> clusterWeights, BatchNorm clusterNorm, Variable<TFloat32> hiddenWeights,
      BatchNorm hiddenNorm, Variable<TFloat32> updateCount) {
    this.sampleFrames = sampleFrames;
    this.clusterSize = clusterSize;
    this.decay = decay;
    this.inputNorm = inputNorm;
    this.clusterWeights = clusterWeights;
    this.clusterNorm = clusterNorm;
    this.hiddenWeights = hiddenWeights;
    this.hiddenNorm = hiddenNorm;
    this.updateCount = updateCount;
  }

  /** The trunk's variables for {@code config}'s sizes over {@code dimension} input features. */
  static DbofTrunk create(Ops tf, PeerConfig config, int dimension, ScaledNormal init) {
    int cluster = config.clusterSize();
    int hidden = config.hidden();
    BatchNorm inputNorm = BatchNorm.create(tf, "input_bn", dimension);
    Variable<TFloat32> clusterWeights = PeerGraph.weights(tf, "cluster_weights",
        init.matrix(dimension, cluster), dimension, cluster);
    BatchNorm clusterNorm = BatchNorm.create(tf, "cluster_bn", cluster);
    Variable<TFloat32> hiddenWeights = PeerGraph.weights(tf, "hidden1_weights",
        init.matrix(cluster, hidden), cluster, hidden);
    BatchNorm hiddenNorm = BatchNorm.create(tf, "hidden1_bn", hidden);
    Ops init0 = tf.withInitScope();
    Variable<TFloat32> count = init0.withName("bn_update_count").variable(init0.constant(0f));
    return new DbofTrunk(config.sampleFrames(), cluster, config.bnDecay(), inputNorm, clusterWeights,
        clusterNorm, hiddenWeights, hiddenNorm, count);
  }

  /** The trainable variables, in a fixed order. */
  List<Variable<TFloat32>> variables() {
    List<Variable<TFloat32>> all = new ArrayList<>(inputNorm.trainable());
    all.add(clusterWeights);
    all.addAll(clusterNorm.trainable());
    all.add(hiddenWeights);
    all.addAll(hiddenNorm.trainable());
    return all;
  }

  /** The training path, [videos, hidden]; call once. */
  Operand<TFloat32> train(Ops tf, Operand<TFloat32> frames) {
    Operand<TFloat32> x = inputNorm.train(tf, frames);
    Operand<TFloat32> a = tf.nn.relu6(clusterNorm.train(tf, tf.linalg.matMul(x, clusterWeights)));
    Operand<TFloat32> h = tf.linalg.matMul(pool(tf, a), hiddenWeights);
    return tf.nn.relu6(hiddenNorm.train(tf, h));
  }

  /** The scoring path, with the moving averages, [videos, hidden]. */
  Operand<TFloat32> infer(Ops tf, Operand<TFloat32> frames) {
    Operand<TFloat32> x = inputNorm.infer(tf, frames);
    Operand<TFloat32> a = tf.nn.relu6(clusterNorm.infer(tf, tf.linalg.matMul(x, clusterWeights)));
    Operand<TFloat32> h = tf.linalg.matMul(pool(tf, a), hiddenWeights);
    return tf.nn.relu6(hiddenNorm.infer(tf, h));
  }

  /**
   * The moving-average updates of every batch norm, then the update count's increment; run with
   * every training step.
   */
  Op updates(Ops tf) {
    // d = min(decay, (1 + n) / (10 + n))
    Operand<TFloat32> warm = tf.math.div(tf.math.add(updateCount, tf.constant(1f)),
        tf.math.add(updateCount, tf.constant(10f)));
    Operand<TFloat32> d = tf.math.minimum(tf.constant(decay), warm);
    List<Op> moving = new ArrayList<>();
    moving.addAll(inputNorm.updates(tf, d));
    moving.addAll(clusterNorm.updates(tf, d));
    moving.addAll(hiddenNorm.updates(tf, d));
    Ops after = tf.withControlDependencies(moving);
    return after.assignAdd(updateCount, after.constant(1f));
  }

  // utils.FramePooling(..., "max"): [videos * frames, cluster] -> [videos, frames, cluster] -> max over frames.
  private Operand<TFloat32> pool(Ops tf, Operand<TFloat32> perFrame) {
    Operand<TFloat32> byVideo = tf.reshape(perFrame, tf.constant(new long[] {-1, sampleFrames, clusterSize}));
    return tf.max(byVideo, tf.constant(1));
  }
}
