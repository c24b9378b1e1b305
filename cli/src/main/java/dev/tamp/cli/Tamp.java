package dev.tamp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tamp} command: compress trained neural networks for edge devices that run Java. */
@Command(
        name = "tamp",
        mixinStandardHelpOptions = true,
        versionProvider = Tamp.Version.class,
        description = "Compresses trained neural networks and emits Java for edge devices.",
        subcommands = {CheckCommand.class, CompileCommand.class, FmtCommand.class, InspectCommand.class, EvalCommand.class,
            TargetCommand.class, PlanCommand.class,
            LspCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:errors in the input (diagnostics on stderr), or files to reformat with fmt --check",
            "2:wrong command line",
            "3:internal error (a bug in tamp; rerun with --stacktrace and report it)",
            "130:interrupted (Ctrl-C); compile writes nothing"
        })
public final class Tamp implements Runnable {

    @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
            description = "On an internal error, print the full stack trace.")
    boolean stacktrace;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line with the given output streams and returns its exit code; never throws. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Tamp());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean trace = parseResult.hasMatchedOption("--stacktrace");
            PrintWriter w = commandLine.getErr();
            w.println("internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : ""));
            if (trace) {
                e.printStackTrace(w);
            } else {
                w.println("  this is a bug in tamp; rerun with --stacktrace and report the output");
            }
            w.flush();
            return ExitCode.INTERNAL_ERROR;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tamp " + number() + " (Java " + System.getProperty("java.version") + ")"};
        }

        /** This tamp's version, such as {@code 0.1.0-SNAPSHOT}. */
        static String number() {
            Properties p = new Properties();
            try (InputStream in = Tamp.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p.getProperty("version", "unknown");
        }
    }
}
