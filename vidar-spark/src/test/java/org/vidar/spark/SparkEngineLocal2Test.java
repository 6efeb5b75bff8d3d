package org.vidar.spark;

/** The engine contract on two local executor threads. */
class SparkEngineLocal2Test extends SparkEngineContract {
  @Override
  String master() {
    return "local[2]";
  }
}
