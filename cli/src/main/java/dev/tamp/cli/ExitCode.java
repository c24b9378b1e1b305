package dev.tamp.cli;

/** The exit codes of every tamp command (documented in the README). */
public final class ExitCode {
    /** Success: no errors (warnings allowed). */
    public static final int OK = 0;
    /** The input has errors (diagnostics on stderr), or `fmt --check` found files to reformat. */
    public static final int INPUT_ERROR = 1;
    /** The command line itself is wrong: unknown option, missing argument. */
    public static final int USAGE = 2;
    /** A bug in tamp: an exception escaped. */
    public static final int INTERNAL_ERROR = 3;
    /** Interrupted (Ctrl-C); nothing half-written is left behind. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {}
}
