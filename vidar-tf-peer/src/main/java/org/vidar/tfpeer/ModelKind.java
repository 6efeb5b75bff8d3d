package org.vidar.tfpeer;

import java.util.Locale;

/** The starter code's video-level models this peer trains, with each one's default expert count. */
enum ModelKind {
  /** MoeModel straight on the 1152 input features. */
  MOE(2),
  /** A ReLU dense layer of {@code --hidden} units, then the same MoE. */
  MLP(4);

  private final int defaultExperts;

  ModelKind(int defaultExperts) {
    this.defaultExperts = defaultExperts;
  }

  /** The number of experts per class when {@code --experts} is not given. */
  int defaultExperts() {
    return defaultExperts;
  }

  /** The name used on the command line and in peer.json. */
  String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind named {@code name} (case-insensitive). */
  static ModelKind parse(String name) {
    for (ModelKind kind : values()) {
      if (kind.cliName().equalsIgnoreCase(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("--model must be moe or mlp, got '" + name + "'");
  }
}
