package org.vidar.tfpeer;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The starter code's MoeModel (video_level_models.py) as graph ops. Per class k and video x, with E
 * logistic experts and a softmax gate over E + 1 states (the extra state stands for "label absent"):
 * p_k = sum_{e < E} softmax(x G_k)_e * sigmoid(x W_k,e + b_k,e). The gate has no bias; gate and expert
 * weights carry the L2 penalty {@link PeerConfig#MOE_L2} * ||w||^2 / 2 (slim's l2_regularizer).
 * Columns are laid out class-major, [class][state], as the starter's reshape to [-1, E + 1] implies.
 */
record MoeHead(Operand<TFloat32> probabilities, Operand<TFloat32> penalty,
    List<Variable<TFloat32>> variables) {

  /** Builds the head over {@code input}, [batch, width]. */
  static MoeHead build(Ops tf, Operand<TFloat32> input, int width, int classes, int experts,
      GlorotUniform glorot) {
    int gateColumns = Math.multiplyExact(classes, experts + 1);
    int expertColumns = Math.multiplyExact(classes, experts);
    Variable<TFloat32> gateWeights = PeerGraph.weights(tf, "moe_gate_weights",
        glorot.matrix(width, gateColumns), width, gateColumns);
    Variable<TFloat32> expertWeights = PeerGraph.weights(tf, "moe_expert_weights",
        glorot.matrix(width, expertColumns), width, expertColumns);
    Variable<TFloat32> expertBiases = PeerGraph.zeros(tf, "moe_expert_biases", expertColumns);

    Operand<TFloat32> probabilities = mix(tf, input, gateWeights, expertWeights, expertBiases, classes,
        experts, "probabilities");
    Operand<TFloat32> penalty = tf.math.mul(tf.constant(PeerConfig.MOE_L2),
        tf.math.add(tf.nn.l2Loss(gateWeights), tf.nn.l2Loss(expertWeights)));
    return new MoeHead(probabilities, penalty, List.of(gateWeights, expertWeights, expertBiases));
  }

  /**
   * The same head, with the same variables, over another input, [batch, width]: the probabilities
   * named {@code name}.
   */
  Operand<TFloat32> probabilitiesOf(Ops tf, Operand<TFloat32> input, int classes, int experts, String name) {
    return mix(tf, input, variables.get(0), variables.get(1), variables.get(2), classes, experts, name);
  }

  private static Operand<TFloat32> mix(Ops tf, Operand<TFloat32> input, Variable<TFloat32> gateWeights,
      Variable<TFloat32> expertWeights, Variable<TFloat32> expertBiases, int classes, int experts,
      String name) {
    Operand<TFloat32> gates = tf.nn.softmax(tf.reshape(tf.linalg.matMul(input, gateWeights),
        tf.constant(new long[] {-1, experts + 1})));
    Operand<TFloat32> expertProbabilities = tf.math.sigmoid(tf.reshape(
        tf.nn.biasAdd(tf.linalg.matMul(input, expertWeights), expertBiases),
        tf.constant(new long[] {-1, experts})));
    // The dummy state's gate mass is dropped: it is the probability that the label is absent.
    // int32 begin/size: TensorFlow's C++ gradient of Slice subtracts them from an int32 shape.
    Operand<TFloat32> realGates = tf.slice(gates, tf.constant(new int[] {0, 0}),
        tf.constant(new int[] {-1, experts}));
    Operand<TFloat32> perClass = tf.reduceSum(tf.math.mul(realGates, expertProbabilities),
        tf.constant(1));
    return tf.withName(name)
        .reshape(perClass, tf.constant(new long[] {-1, classes}));
  }
}
