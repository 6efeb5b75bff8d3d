package org.vidar.tfpeer;

import java.io.IOException;

/**
 * The command line of the TensorFlow peer: trains a YouTube-8M starter model with TensorFlow and
 * writes per-epoch validation predictions and timings for comparison with Vidar. Exit codes: 0 done,
 * 1 failed, 2 bad command line.
 */
public final class TfPeer {
  private TfPeer() {}

  /** Runs the peer; see {@link PeerArgs#USAGE}. */
  public static void main(String[] args) {
    if (args.length == 0 || PeerArgs.wantsHelp(args)) {
      System.out.println(PeerArgs.USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    PeerConfig config;
    try {
      config = PeerArgs.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("tf-peer: " + e.getMessage());
      System.err.println("Run with --help for the options.");
      System.exit(2);
      return;
    }
    try {
      new PeerRun(config, System.out, System.err).run();
    } catch (IOException e) {
      // Input and output problems carry their file and record in the message: no stack trace.
      System.err.println("tf-peer: failed: " + e.getMessage());
      System.exit(1);
    } catch (RuntimeException e) {
      System.err.println("tf-peer: failed: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }
}
