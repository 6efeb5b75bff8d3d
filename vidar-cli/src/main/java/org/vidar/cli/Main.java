package org.vidar.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code vidar} command: dispatches to one class per subcommand. */
@Command(name = "vidar", mixinStandardHelpOptions = true, version = "vidar 0.1.0",
    description = "Train and serve multi-label video annotation models.")
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }
}
