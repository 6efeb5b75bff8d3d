package org.vidar.spark;

/** The engine contract on one local executor thread. */
class SparkEngineLocal1Test extends SparkEngineContract {
  @Override
  String master() {
    return "local[1]";
  }
}
