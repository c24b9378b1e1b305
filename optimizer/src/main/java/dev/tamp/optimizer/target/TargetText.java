package dev.tamp.optimizer.target;

import java.nio.file.FileStore;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * A target spec in the recipe language for what {@link HostProbe} found, each figure with where it came from in a
 * comment, so the file reads like the hand-written specs in {@code specs/} and {@code tamp check} accepts it.
 */
public final class TargetText {
    private TargetText() {}

    /**
     * The text of {@code target NAME { ... }}; {@code storageBytes} is the free space where the outputs go (the
     * limit a user most likely wants to tighten), {@code date} the day of the measurement.
     */
    public static String render(String name, HostProbe.Facts f, long storageBytes, String date) {
        StringBuilder sb = new StringBuilder();
        sb.append("// This machine, measured by `tamp target probe` on ").append(date).append(".\n");
        for (String source : f.sources()) {
            sb.append("// ").append(source).append('\n');
        }
        sb.append("target ").append(name).append(" {\n");
        sb.append("  cpu       ").append(quote(f.cpu())).append('\n');
        sb.append("  cores     ").append(f.cores()).append('\n');
        f.frequencyHz().ifPresent(hz -> sb.append(String.format(Locale.ROOT, "  frequency %.2f GHz%n", hz / 1e9)));
        sb.append("  simd      ").append(f.simdBits()).append(" bit\n");
        sb.append("  int8-dot  ").append(f.int8Dot() ? "yes" : "no").append('\n');
        sb.append("  runtime   hotspot  // measured on this JVM\n");
        sb.append("  peak {\n");
        sb.append(String.format(Locale.ROOT, "    fp32 %s GFLOPS  // all cores, as plain Java reaches it%n",
                figure(f.fp32FlopsPerSecond() / 1e9)));
        sb.append(String.format(Locale.ROOT, "    int8 %s GOPS%n", figure(f.int8OpsPerSecond() / 1e9)));
        sb.append("  }\n");
        sb.append("  memory {\n");
        sb.append(String.format(Locale.ROOT, "    bandwidth %s GB/s%n", figure(f.bandwidthBytesPerSecond() / 1e9)));
        cache(sb, "l1", f.l1());
        cache(sb, "l2", f.l2());
        cache(sb, "l3", f.l3());
        sb.append("  }\n");
        sb.append("  limits {\n");
        sb.append("    ram     ").append(mebibytes(f.ramBytes())).append("  // the JVM's maximum heap\n");
        sb.append("    storage ").append(mebibytes(storageBytes)).append("  // free space where the output goes\n");
        sb.append("  }\n");
        sb.append("}\n");
        return sb.toString();
    }

    /** Free bytes of a file store, for {@link #render}'s storage limit. */
    public static long usable(FileStore store) {
        try {
            return store.getUsableSpace();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void cache(StringBuilder sb, String name, OptionalLong bytes) {
        bytes.ifPresent(b -> sb.append("    ").append(name).append("        ")
                .append(b % (1 << 20) == 0 ? b >> 20 : b >> 10).append(b % (1 << 20) == 0 ? " MiB" : " KiB")
                .append('\n'));
    }

    /** Three significant figures, no exponent: what a spec's reader compares. */
    private static String figure(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String mebibytes(long bytes) {
        return Math.max(1, bytes >> 20) + " MiB";
    }

    /** A string literal of the recipe language: quotes and backslashes escaped, control characters dropped. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().filter(c -> c >= 0x20 && c != 0x7f).forEach(c -> {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.appendCodePoint(c);
        });
        return sb.append('"').toString();
    }
}
