package dev.tamp.cli;

import dev.tamp.compiler.Frontend;
import dev.tamp.compiler.diag.Diagnostics;
import dev.tamp.compiler.sema.FileKind;
import dev.tamp.compiler.source.SourceFile;
import dev.tamp.optimizer.target.HostProbe;
import dev.tamp.optimizer.target.TargetText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tamp target}: hardware target specs. */
@Command(name = "target", description = "Hardware target specs.", subcommands = TargetCommand.Probe.class)
final class TargetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: tamp target probe");
    }

    /** {@code tamp target probe}: measures this machine and writes a target spec for it. */
    @Command(name = "probe", description = "Measure this machine (cores, SIMD, caches, fp32/int8 throughput, memory "
            + "bandwidth) and write a target spec for it.")
    static final class Probe implements Callable<Integer> {
        /** Target names as `target NAME` accepts them. */
        private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

        @Option(names = {"-o", "--output"}, paramLabel = "FILE",
                description = "Where to write the spec (default: print it on stdout).")
        Path output;

        @Option(names = "--name", defaultValue = "host", description = "The target's name (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--quick", description = "Time less work (about a second): rougher figures, for scripts and tests.")
        boolean quick;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (!NAME.matcher(name).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--name must be a target name "
                        + "(letters, digits, `_` and `-`, not starting with a digit): " + name);
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (output != null && Files.isDirectory(output)) {
                err.println("error: `" + output + "` is a folder; give the file to write, e.g. "
                        + output.resolve(name + ".target"));
                err.flush();
                return ExitCode.INPUT_ERROR;
            }
            err.println("probing this machine" + (quick ? " (quick)" : "") + "...");
            err.flush();
            HostProbe.Facts facts = HostProbe.measure(quick ? 0.1 : 1);
            Path where = (output != null ? output.toAbsolutePath() : Path.of("").toAbsolutePath());
            Path existing = where;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            long storage = existing == null ? 0 : TargetText.usable(Files.getFileStore(existing));
            String text = TargetText.render(name, facts, storage, LocalDate.now(ZoneOffset.UTC).toString());

            // The spec must read back as a valid target: checked before it is written anywhere.
            Diagnostics diagnostics = new Diagnostics();
            new Frontend(diagnostics).check(SourceFile.of(name + ".target", text), FileKind.TARGET);
            if (diagnostics.hasErrors()) {
                err.println("internal error: the probed spec does not check:");
                Reporting.finish(diagnostics, err);
                err.print(text);
                err.flush();
                return ExitCode.INTERNAL_ERROR;
            }
            if (output == null) {
                out.print(text);
                out.flush();
                return ExitCode.OK;
            }
            try {
                Path target = output.toAbsolutePath();
                Files.createDirectories(target.getParent());
                Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                err.println("error: cannot write `" + output + "`: " + e.getMessage());
                err.flush();
                return ExitCode.INPUT_ERROR;
            }
            err.println("wrote " + output);
            err.flush();
            return ExitCode.OK;
        }
    }
}
