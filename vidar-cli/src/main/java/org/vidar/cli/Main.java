package org.vidar.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import org.vidar.data.BadRecordException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Entry point of the {@code vidar} command: dispatches to one class per subcommand. */
@Command(name = "vidar", mixinStandardHelpOptions = true, version = "vidar 0.1.0",
    description = "Train and serve multi-label video annotation models on YouTube-8M-style data.",
    subcommands = {DemoCommand.class, SynthCommand.class, InspectCommand.class, TrainCommand.class,
        PredictCommand.class, EvalCommand.class},
    footer = {"", "Exit codes: 0 done; 1 failed (bad input, I/O); 2 usage error; "
        + "3 done but bad records were skipped (--skip-bad-records)."})
public final class Main implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      PrintWriter err = cmd.getErr();
      if (ex instanceof BadRecordException || ex instanceof FileNotFoundException
          || ex instanceof IllegalArgumentException || ex instanceof java.io.IOException) {
        err.println("vidar " + cmd.getCommandName() + ": " + ex.getMessage());
        if (ex instanceof BadRecordException) {
          err.println("(use --skip-bad-records to skip bad records and count them instead)");
        }
      } else {
        err.println("vidar " + cmd.getCommandName() + ": unexpected error");
        ex.printStackTrace(err);
      }
      err.flush();
      return ex instanceof UsageException ? ExitCodes.USAGE : ExitCodes.FAILED;
    });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
