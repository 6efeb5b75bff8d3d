package org.vidar.tfpeer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The TensorFlow graph of one starter model: placeholders for a batch of inputs and multi-hot labels,
 * the per-class probabilities, the starter's cross-entropy loss plus the MoE's L2 penalty, and one
 * Adam step with per-tensor gradient clipping. A frame-level model's input is its videos' sampled
 * frames, [videos * frames, dimension], and its step also updates the batch norms' moving averages,
 * which its scoring probabilities use. Closing it closes the graph.
 */
final class PeerGraph implements AutoCloseable {
  // The starter's CrossEntropyLoss: log(p + 1e-5) and log(1 - p + 1e-5), not a logits-based loss.
  private static final float LOG_EPSILON = 1e-5f;

  private final Graph graph;
  private final Placeholder<TFloat32> input;
  private final Placeholder<TFloat32> labels;
  private final Operand<TFloat32> probabilities;
  private final Operand<TFloat32> scoreProbabilities;
  private final Operand<TFloat32> labelLoss;
  private final Op trainStep;

  private PeerGraph(Graph graph, Placeholder<TFloat32> input, Placeholder<TFloat32> labels,
      Operand<TFloat32> probabilities, Operand<TFloat32> scoreProbabilities, Operand<TFloat32> labelLoss,
      Op trainStep) {
    this.graph = graph;
    this.input = input;
    this.labels = labels;
    this.probabilities = probabilities;
    this.scoreProbabilities = scoreProbabilities;
    this.labelLoss = labelLoss;
    this.trainStep = trainStep;
  }

  /**
   * Builds the graph of {@code config}'s model over inputs (videos, or frames) of {@code dimension}
   * floats, drawing the initial weights from {@code initRandom}.
   */
  static PeerGraph build(PeerConfig config, int dimension, SplittableRandom initRandom) {
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      GlorotUniform glorot = new GlorotUniform(initRandom);
      int classes = config.classes();
      int experts = config.experts();
      Placeholder<TFloat32> input = tf.withName("input")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, dimension)));
      Placeholder<TFloat32> labels = tf.withName("labels")
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, classes)));

      List<Variable<TFloat32>> variables = new ArrayList<>();
      Operand<TFloat32> h = input;
      int width = dimension;
      if (config.model() == ModelKind.MLP) {
        Variable<TFloat32> w = weights(tf, "hidden_weights", glorot.matrix(width, config.hidden()),
            width, config.hidden());
        Variable<TFloat32> b = zeros(tf, "hidden_biases", config.hidden());
        variables.add(w);
        variables.add(b);
        h = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(h, w), b));
        width = config.hidden();
      }
      DbofTrunk dbof = null;
      Operand<TFloat32> scoreH = null;
      if (config.model() == ModelKind.DBOF) {
        dbof = DbofTrunk.create(tf, config, dimension, new ScaledNormal(initRandom));
        variables.addAll(dbof.variables());
        h = dbof.train(tf, input);
        scoreH = dbof.infer(tf, input);
        width = config.hidden();
      }
      MoeHead moe = MoeHead.build(tf, h, width, classes, experts, glorot);
      variables.addAll(moe.variables());
      Operand<TFloat32> scoreProbabilities = dbof == null ? moe.probabilities()
          : moe.probabilitiesOf(tf, scoreH, classes, experts, "score_probabilities");

      // Loss = mean over the batch of the sum over classes of the binary cross-entropy.
      Operand<TFloat32> p = moe.probabilities();
      Operand<TFloat32> one = tf.constant(1f);
      Operand<TFloat32> eps = tf.constant(LOG_EPSILON);
      Operand<TFloat32> positive = tf.math.mul(labels, tf.math.log(tf.math.add(p, eps)));
      Operand<TFloat32> negative = tf.math.mul(tf.math.sub(one, labels),
          tf.math.log(tf.math.add(tf.math.sub(one, p), eps)));
      Operand<TFloat32> perVideo = tf.reduceSum(tf.math.neg(tf.math.add(positive, negative)),
          tf.constant(1));
      Operand<TFloat32> labelLoss = tf.withName("label_loss").math.mean(perVideo, tf.constant(0));
      Operand<TFloat32> loss = tf.math.add(labelLoss, moe.penalty());

      OrderedAdam adam = new OrderedAdam(graph, config.learningRate());
      Output<?>[] varOutputs = new Output<?>[variables.size()];
      for (int i = 0; i < varOutputs.length; i++) {
        varOutputs[i] = variables.get(i).asOutput();
      }
      Output<?>[] gradients = graph.addGradients(loss.asOutput(), varOutputs);
      List<GradAndVar<? extends TType>> pairs = new ArrayList<>();
      for (int i = 0; i < varOutputs.length; i++) {
        Output<TFloat32> gradient = asFloat(gradients[i]);
        if (config.clip() > 0) {
          gradient = clipByNorm(tf, gradient, config.clip());
        }
        pairs.add(new GradAndVar<>(gradient, variables.get(i).asOutput()));
      }
      Op trainStep = adam.applyGradients(pairs, "train_step");
      if (dbof != null) {
        trainStep = tf.withControlDependencies(List.of(trainStep, dbof.updates(tf)))
            .withName("train_step_and_moving_averages").noOp();
      }
      return new PeerGraph(graph, input, labels, p, scoreProbabilities, labelLoss, trainStep);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The graph, to open a session on. */
  Graph graph() {
    return graph;
  }

  /** Where a batch of inputs, [batch, dimension], is fed. */
  Placeholder<TFloat32> input() {
    return input;
  }

  /** Where a batch's multi-hot labels, [batch, classes], are fed. */
  Placeholder<TFloat32> labels() {
    return labels;
  }

  /** The per-class probabilities of training, [batch, classes]. */
  Operand<TFloat32> probabilities() {
    return probabilities;
  }

  /**
   * The per-class probabilities to score with, [batch, classes]: the training ones, but for batch
   * norms, which use their moving averages here.
   */
  Operand<TFloat32> scoreProbabilities() {
    return scoreProbabilities;
  }

  /** The batch's cross-entropy without the L2 penalty, the figure the log reports. */
  Operand<TFloat32> labelLoss() {
    return labelLoss;
  }

  /** One Adam step on the fed batch. */
  Op trainStep() {
    return trainStep;
  }

  @Override
  public void close() {
    graph.close();
  }

  /** tf.clip_by_norm: g * clip / max(||g||_2, clip), so a gradient within the limit is unchanged. */
  private static Output<TFloat32> clipByNorm(Ops tf, Output<TFloat32> gradient, float clip) {
    Operand<TFloat32> limit = tf.constant(clip);
    Operand<TFloat32> flat = tf.reshape(gradient, tf.constant(new long[] {-1}));
    Operand<TFloat32> norm = tf.math.sqrt(tf.reduceSum(tf.math.square(flat), tf.constant(0)));
    return tf.math.mul(gradient, tf.math.div(limit, tf.math.maximum(norm, limit))).asOutput();
  }

  /** A variable initialised to {@code values} (row-major {@code rows x cols}). */
  static Variable<TFloat32> weights(Ops tf, String name, float[] values, int rows, int cols) {
    Ops init = tf.withInitScope();
    return init.withName(name).variable(
        init.constant(Shape.of(rows, cols), DataBuffers.of(values, true, false)));
  }

  /** A vector variable initialised to zeros. */
  static Variable<TFloat32> zeros(Ops tf, String name, int size) {
    Ops init = tf.withInitScope();
    return init.withName(name).variable(
        init.zeros(init.constant(new long[] {size}), TFloat32.class));
  }

  /** A vector variable initialised to ones. */
  static Variable<TFloat32> ones(Ops tf, String name, int size) {
    Ops init = tf.withInitScope();
    return init.withName(name).variable(
        init.fill(init.constant(new long[] {size}), init.constant(1f)));
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> asFloat(Output<?> output) {
    if (output == null || output.type() != TFloat32.class) {
      throw new IllegalStateException("TensorFlow gave no float32 gradient: " + output);
    }
    return (Output<TFloat32>) output;
  }
}
