package dev.tamp.compiler.ir;

import dev.tamp.compiler.source.SourceFile;
import dev.tamp.compiler.source.SourceSpan;
import java.util.Optional;

/**
 * A checked hardware target in canonical units: ops per second, bytes per second, bytes, bits. The accessors are
 * what the cost model reads.
 */
public record TargetSpec(String name, Settings settings, SourceFile file, SourceSpan span) {

    public int cores() {
        return (int) settings.number("cores");
    }

    public int simdBits() {
        return (int) settings.number("simd");
    }

    public boolean int8Dot() {
        return settings.flag("int8-dot");
    }

    public String runtime() {
        return settings.word("runtime");
    }

    public double peakFp32() {
        return group("peak").number("fp32");
    }

    public Optional<Double> peakInt8() {
        return group("peak").get("int8").map(s -> ((Setting.Num) s).value());
    }

    public double bandwidth() {
        return group("memory").number("bandwidth");
    }

    public Optional<Double> cache(String level) {
        return group("memory").get(level).map(s -> ((Setting.Num) s).value());
    }

    public double ramLimit() {
        return group("limits").number("ram");
    }

    public double storageLimit() {
        return group("limits").number("storage");
    }

    private Settings group(String name) {
        return new Settings(((Setting.Group) settings.get(name).orElseThrow()).settings());
    }
}
