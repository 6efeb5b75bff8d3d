package org.vidar.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import org.vidar.data.BadRecordException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/** Entry point of the {@code vidar} command: dispatches to one class per subcommand. */
@Command(name = "vidar", mixinStandardHelpOptions = true, version = "vidar 0.1.0",
    description = "Train and serve multi-label video annotation models on YouTube-8M-style data.",
    subcommands = {DemoCommand.class, SynthCommand.class, InspectCommand.class, TrainCommand.class,
        PredictCommand.class, EvalCommand.class, ReportCommand.class},
    footer = {"", "Exit codes: 0 done; 1 failed (bad input, I/O); 2 usage error; "
        + "3 done but bad records were skipped (--skip-bad-records); 130 interrupted (Ctrl-C)."})
public final class Main implements Runnable {
  /** Global: given before or after the subcommand's name. Only a given option acts, so demo's steps keep it. */
  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
      description = "Nothing but results and errors: no progress, no warnings.")
  void setQuiet(boolean quiet) {
    if (quiet) {
      Verbosity.quiet();
    }
  }

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "The logs back: Spark's, netlib's and Vidar's at INFO on stderr.")
  void setVerbose(boolean verbose) {
    if (verbose) {
      Verbosity.verbose();
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The configured command line, also used by tests. */
  public static CommandLine commandLine() {
    Verbosity.routeJavaUtilLogging();
    CommandLine cl = new CommandLine(new Main());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> exitCode(ex, cmd));
    return cl;
  }

  /**
   * What a command that failed with {@code ex} prints and exits with: one line for an interruption
   * (130), the message for bad input and I/O errors (1, or 2 for a command line that cannot be run
   * as given), the stack trace for anything unexpected (1).
   */
  static int exitCode(Exception ex, CommandLine cmd) {
    PrintWriter err = cmd.getErr();
    if (Interruption.isInterruption(ex)) {
      Interruption.report(line -> {
        err.println(line);
        err.flush();
      }, "vidar " + cmd.getCommandName());
      return ExitCodes.INTERRUPTED;
    }
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
  }

  public static void main(String[] args) {
    String command = "vidar";
    for (String a : args) {
      if (!a.startsWith("-")) {
        command += " " + a;
        break;
      }
    }
    Interruption.install(command);
    int code = commandLine().execute(args);
    Interruption.exiting();
    System.exit(code);
  }
}
